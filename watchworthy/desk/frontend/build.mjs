// Builds src/editor.js into one minified, content-hashed bundle plus manifest.json.
//   node build.mjs                 → ../static/desk/ (what is committed)
//   node build.mjs --outdir DIR    → DIR
//   node build.mjs --check         → builds into a temporary folder and fails (exit 1)
//                                    unless it is byte for byte what ../static/desk/ holds
// Reproducible: esbuild is pinned, no timestamps or absolute paths reach the output
// (no source maps, no legal-comment file), and the manifest is written with sorted keys.
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const committed = join(here, "..", "static", "desk");
const checking = process.argv.includes("--check");
const flag = process.argv.indexOf("--outdir");
const outdir = checking
  ? mkdtempSync(join(tmpdir(), "desk-bundle-"))
  : resolve(flag === -1 ? committed : process.argv[flag + 1]);

// Our outputs: the hashed bundle and the manifest. Anything else in the folder is not ours.
const ours = (dir) => {
  try {
    return readdirSync(dir).filter((name) => /^editor-[A-Z0-9]+\.(js|css)$/.test(name) || name === "manifest.json").sort();
  } catch {
    return [];
  }
};

mkdirSync(outdir, { recursive: true });
for (const name of ours(outdir)) rmSync(join(outdir, name));

const result = await build({
  absWorkingDir: here,
  entryPoints: { editor: "src/editor.js" },
  entryNames: "[name]-[hash]",
  outdir,
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  charset: "utf8",
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});

const built = {};
for (const file of Object.keys(result.metafile.outputs)) {
  const name = file.split("/").pop();
  built[name.endsWith(".css") ? "editor.css" : "editor.js"] = `desk/${name}`;
}
const manifest = Object.fromEntries(Object.entries(built).sort(([a], [b]) => (a < b ? -1 : 1)));
writeFileSync(join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

if (checking) {
  const built = ours(outdir);
  const have = ours(committed);
  const problems = [];
  for (const name of new Set([...built, ...have])) {
    if (!built.includes(name)) problems.push(`${name} is committed but the sources do not build it`);
    else if (!have.includes(name)) problems.push(`${name} is built from the sources but not committed`);
    else if (!readFileSync(join(outdir, name)).equals(readFileSync(join(committed, name)))) problems.push(`${name} differs`);
  }
  rmSync(outdir, { recursive: true, force: true });
  if (problems.length) {
    console.error("desk bundle check FAILED: watchworthy/desk/static/desk/ does not match watchworthy/desk/frontend/");
    for (const problem of problems) console.error(`  ${problem}`);
    console.error("Run `make desk-bundle` and commit the result.");
    process.exit(1);
  }
  console.log(`desk bundle check: ${have.join(", ")} match the sources`);
} else {
  console.log(`desk bundle: ${Object.values(manifest).join(", ")}`);
}
