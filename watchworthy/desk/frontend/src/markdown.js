// The Markdown the desk's tools write, as pure functions of (text, selection) so they can
// be tested without a browser. Each returns an edit:
//   { from, to, insert, anchor, head }  — replace text[from, to) with insert, then select
//   anchor..head (positions in the new text).
// The syntax is the site's own (docs/markup.md, docs/spoilers.md).

/** Bold, italic: wrap the selection in `mark`, or unwrap it when it is already wrapped. */
export function toggleWrap(text, from, to, mark, placeholder) {
  const n = mark.length;
  const selected = text.slice(from, to);
  if (isWrapped(text, from, to, mark)) {
    return { from: from - n, to: to + n, insert: selected, anchor: from - n, head: to - n };
  }
  if (selected.length > 2 * n && selected.startsWith(mark) && selected.endsWith(mark)) {
    const inner = selected.slice(n, -n);
    return { from, to, insert: inner, anchor: from, head: from + inner.length };
  }
  const words = selected || placeholder;
  return { from, to, insert: mark + words + mark, anchor: from + n, head: from + n + words.length };
}

// Is text[from, to) directly inside `mark`…`mark`? `**x**` is bold, not italic; `***x***` is both.
function isWrapped(text, from, to, mark) {
  const n = mark.length;
  if (from < n || text.slice(from - n, from) !== mark || text.slice(to, to + n) !== mark) return false;
  if (mark !== "*") return true;
  const boldOnly = text.slice(from - 2, from) === "**" && text.slice(from - 3, from) !== "***";
  return !boldOnly;
}

/** A link: `[words](url)` with the address selected; a selected address becomes the target. */
export function link(text, from, to) {
  const selected = text.slice(from, to);
  if (/^(https?:\/\/|\/)\S*$/.test(selected)) {
    const insert = `[link text](${selected})`;
    return { from, to, insert, anchor: from + 1, head: from + 10 };
  }
  const words = selected || "link text";
  const insert = `[${words}](https://)`;
  const start = from + words.length + 3;
  return { from, to, insert, anchor: start, head: start + 8 };
}

function lineStart(text, pos) {
  return text.lastIndexOf("\n", pos - 1) + 1;
}

function lineEnd(text, pos) {
  const end = text.indexOf("\n", pos);
  return end === -1 ? text.length : end;
}

/** The whole lines a selection touches (a selection ending at a line's start leaves it out). */
export function lineRange(text, from, to) {
  const start = lineStart(text, from);
  const endPos = to > from && text[to - 1] === "\n" ? to - 1 : to;
  return { start, end: lineEnd(text, Math.max(endPos, start)) };
}

/** Heading and quote: add `prefix` to every selected line, or remove it when all have it. */
export function toggleLinePrefix(text, from, to, prefix, strip) {
  const { start, end } = lineRange(text, from, to);
  const lines = text.slice(start, end).split("\n");
  const all = lines.every((line) => line.startsWith(prefix));
  const next = lines.map((line) => (all ? line.slice(prefix.length) : prefix + line.replace(strip, "")));
  const insert = next.join("\n");
  return { from: start, to: end, insert, anchor: start, head: start + insert.length };
}

/**
 * Text for a spoiler scope the site's parser understands (core.spoiler_markup.parse_scope),
 * from a scope value "S:E" / "S:" and the label the server gave it ("Part 2, ep 3",
 * "All of Part 2"). The label's word for a season (Part, Season, Cour) is kept.
 */
export function scopeText(value, label) {
  const match = /^(\d{1,3}):(\d{0,4})$/.exec(value || "");
  if (!match) return "";
  const read = parseScope(label || "");
  if (read && read[0] === Number(match[1]) && read[1] === (match[2] ? Number(match[2]) : null)) {
    return label.replace(/\s+/g, " ").trim();
  }
  const word = /\b(part|season|cour|series)\b/i.exec(label || "");
  const name = word ? word[1][0].toUpperCase() + word[1].slice(1).toLowerCase() : "Part";
  return match[2] ? `${name} ${match[1]}, ep ${match[2]}` : `${name} ${match[1]}`;
}

// core.spoiler_markup._SCOPE, the server's reading of a scope.
const SCOPE =
  /^\s*(?:(part|season|cour|series|s)\s*\.?\s*(\d{1,3}))?\s*[,:/-]?\s*(?:(?:(?:ep(?:isode)?s?\.?|e)\s*(\d{1,4}))|(finale|end))?\s*$/i;

/** [season, episode or null] as the server reads `text`, or null when it does not. */
export function parseScope(text) {
  const match = SCOPE.exec(text.replace(/\s+/g, " "));
  if (!match || !(match[2] || match[3] || match[4])) return null;
  const season = match[2] ? Number(match[2]) : 1;
  const episode = match[3] ? Number(match[3]) : null;
  if (season < 1 || (episode !== null && episode < 1)) return null;
  return [season, episode];
}

/**
 * Mark the selection as a spoiler: within one line `||scope: words||` (or `||words||`),
 * over several lines a `::: spoiler scope` block around the whole lines.
 */
export function spoiler(text, from, to, scope) {
  const selected = text.slice(from, to);
  if (!selected.includes("\n")) {
    const words = selected || "hidden words";
    const head = scope ? `||${scope}: ` : "||";
    const insert = `${head}${words}||`;
    return { from, to, insert, anchor: from + head.length, head: from + head.length + words.length };
  }
  const { start, end } = lineRange(text, from, to);
  const opening = scope ? `::: spoiler ${scope}` : "::: spoiler";
  const body = `${opening}\n${text.slice(start, end)}\n:::`;
  return placeBlock(text, start, end, body, opening.length + 1, body.length - 4);
}

/** A citation card `::: cite SLUG` (around the selected words, if any). */
export function cite(text, from, to, slug) {
  const selected = text.slice(from, to);
  const opening = `::: cite ${slug}`;
  const body = selected ? `${opening}\n${selected.replace(/\n+$/, "")}\n:::` : `${opening}\n:::`;
  return placeBlock(text, from, to, body, body.length, body.length);
}

/** A block (a figure, a card) on lines of its own, at the cursor. */
export function block(text, from, to, body) {
  return placeBlock(text, from, to, body, body.length, body.length);
}

// Replace text[from, to) with `body` standing on its own lines, separated from any
// neighbouring text by a blank line; the selection is body[selFrom, selTo).
function placeBlock(text, from, to, body, selFrom, selTo) {
  const before = text.slice(0, from);
  const after = text.slice(to);
  let lead = "";
  if (before && !before.endsWith("\n\n")) lead = before.endsWith("\n") ? "\n" : "\n\n";
  let tail = "";
  if (after && !after.startsWith("\n\n")) tail = after.startsWith("\n") ? "\n" : "\n\n";
  else if (!after) tail = "\n";
  const insert = lead + body + tail;
  const base = from + lead.length;
  return { from, to, insert, anchor: base + selFrom, head: base + selTo };
}

/**
 * Enter in a list item or a quote: the next line starts the same way (numbers count
 * on); Enter on an item with nothing in it ends the list. Null: an ordinary Enter.
 */
export function continueList(text, from, to) {
  if (from !== to) return null;
  const start = lineStart(text, from);
  const line = text.slice(start, lineEnd(text, from));
  const match = /^(\s*)(?:([-*+])|(\d{1,9})([.)]))(\s+)(\[[ xX]\]\s+)?|^(\s*>\s?)/.exec(line);
  if (!match || from - start < match[0].length) return null;
  if (line.slice(match[0].length).trim() === "" && from === start + line.length) {
    return { from: start, to: start + line.length, insert: "", anchor: start, head: start };
  }
  let marker;
  if (match[7] !== undefined) marker = match[7];
  else {
    const bullet = match[2] || `${Number(match[3]) + 1}${match[4]}`;
    marker = `${match[1]}${bullet}${match[5]}${match[6] ? "[ ] " : ""}`;
  }
  const insert = `\n${marker}`;
  return { from, to, insert, anchor: from + insert.length, head: from + insert.length };
}

/** Words in Markdown source (markup characters are not words). */
export function countWords(text) {
  const words = text
    .replace(/^:::.*$/gm, " ")
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/\]\([^)]*\)/g, " ")
    .replace(/[#>*_`|[\]~-]+/g, " ")
    .match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu);
  return words ? words.length : 0;
}

/** Minutes to read `words` at 230 words a minute (at least one when there is any text). */
export function readingMinutes(words) {
  return words ? Math.max(1, Math.round(words / 230)) : 0;
}
