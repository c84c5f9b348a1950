// The Markdown the desk's tools write (node --test; no browser needed).
import assert from "node:assert/strict";
import { test } from "node:test";

import * as md from "../src/markdown.js";

const apply = (text, edit) => {
  const out = text.slice(0, edit.from) + edit.insert + text.slice(edit.to);
  return { out, selected: out.slice(edit.anchor, edit.head) };
};

test("bold wraps the selection and a second press unwraps it", () => {
  const text = "a word here";
  const once = apply(text, md.toggleWrap(text, 2, 6, "**", "bold"));
  assert.equal(once.out, "a **word** here");
  assert.equal(once.selected, "word");
  const twice = apply(once.out, md.toggleWrap(once.out, 4, 8, "**", "bold"));
  assert.equal(twice.out, text);
});

test("italic inside bold adds a star instead of taking the bold away", () => {
  const text = "a **word** here";
  assert.equal(apply(text, md.toggleWrap(text, 4, 8, "*", "x")).out, "a ***word*** here");
});

test("an empty selection gets placeholder words, selected", () => {
  const edit = apply("", md.toggleWrap("", 0, 0, "*", "italic words"));
  assert.deepEqual(edit, { out: "*italic words*", selected: "italic words" });
});

test("a link selects the address to type; a selected address becomes the target", () => {
  assert.deepEqual(apply("see this", md.link("see this", 4, 8)), { out: "see [this](https://)", selected: "https://" });
  const url = "https://example.org/x";
  assert.deepEqual(apply(url, md.link(url, 0, url.length)), { out: `[link text](${url})`, selected: "link text" });
});

test("heading and quote prefix every selected line and toggle back", () => {
  const text = "one\ntwo\nthree";
  const quoted = apply(text, md.toggleLinePrefix(text, 1, 6, "> ", /^>\s?/)).out;
  assert.equal(quoted, "> one\n> two\nthree");
  assert.equal(apply(quoted, md.toggleLinePrefix(quoted, 0, 10, "> ", /^>\s?/)).out, text);
  assert.equal(apply("### Old", md.toggleLinePrefix("### Old", 0, 0, "## ", /^#{1,6}\s+/)).out, "## Old");
});

test("scope text is what the server's parser reads, in the work's own word", () => {
  assert.equal(md.scopeText("2:3", "Part 2, ep 3"), "Part 2, ep 3");
  assert.equal(md.scopeText("2:", "All of Part 2"), "Part 2");
  assert.equal(md.scopeText("3:1", "Season 3, episode 1"), "Season 3, episode 1");
  assert.equal(md.scopeText("1:7", "Episode 7"), "Episode 7");
  assert.equal(md.scopeText("1:7", "The pilot"), "Part 1, ep 7");
  assert.equal(md.scopeText("", "No scope"), "");
  assert.equal(md.scopeText("nonsense", "x"), "");
});

test("scopes are read as the server reads them", () => {
  assert.deepEqual(md.parseScope("Part 2, ep 7"), [2, 7]);
  assert.deepEqual(md.parseScope("S2E7"), [2, 7]);
  assert.deepEqual(md.parseScope("season 2 episode 7"), [2, 7]);
  assert.deepEqual(md.parseScope("Part 2 finale"), [2, null]);
  assert.deepEqual(md.parseScope("ep 7"), [1, 7]);
  assert.equal(md.parseScope("the big twist"), null);
  assert.equal(md.parseScope("All of Part 2"), null);
  assert.equal(md.scopeText("2:7", "Cour 2, ep 7"), "Cour 2, ep 7");
  assert.equal(md.scopeText("2:", "The Final Season"), "Season 2");
});

test("a spoiler within one line is inline, scoped or not", () => {
  const text = "The broker Renji buys it.";
  assert.equal(apply(text, md.spoiler(text, 11, 16, "Part 2, ep 3")).out, "The broker ||Part 2, ep 3: Renji|| buys it.");
  const bare = apply(text, md.spoiler(text, 11, 16, ""));
  assert.deepEqual(bare, { out: "The broker ||Renji|| buys it.", selected: "Renji" });
});

test("a spoiler over several lines is a block around the whole lines", () => {
  const text = "Intro.\nMio lives.\nShe works for him.\nAfter.";
  const edit = apply(text, md.spoiler(text, 10, 20, "Part 2, ep 7"));
  assert.equal(edit.out, "Intro.\n\n::: spoiler Part 2, ep 7\nMio lives.\nShe works for him.\n:::\n\nAfter.");
  assert.equal(edit.selected, "Mio lives.\nShe works for him.");
  assert.equal(apply("a\nb", md.spoiler("a\nb", 0, 3, "")).out, "::: spoiler\na\nb\n:::\n");
});

test("a citation card stands on its own lines, around selected words when there are any", () => {
  assert.equal(apply("Text", md.cite("Text", 4, 4, "ferrylight")).out, "Text\n\n::: cite ferrylight\n:::\n");
  assert.equal(apply("A\n\nB", md.cite("A\n\nB", 1, 1, "x")).out, "A\n\n::: cite x\n:::\n\nB");
  assert.equal(apply("quote me", md.cite("quote me", 0, 8, "x")).out, "::: cite x\nquote me\n:::\n");
});

test("an image figure goes on a line of its own, even from mid-sentence", () => {
  const figure = '![Alt](image:lighthouse "Caption")';
  assert.equal(apply("Before after", md.block("Before after", 6, 6, figure)).out, `Before\n\n${figure}\n\n after`);
});

test("Enter continues lists and quotes, and ends an empty item", () => {
  const at = (text) => apply(text, md.continueList(text, text.length, text.length)).out;
  assert.equal(at("- one"), "- one\n- ");
  assert.equal(at("  * one"), "  * one\n  * ");
  assert.equal(at("9. nine"), "9. nine\n10. ");
  assert.equal(at("- [x] done"), "- [x] done\n- [ ] ");
  assert.equal(at("> quoted"), "> quoted\n> ");
  assert.equal(at("text\n- "), "text\n");
  assert.equal(md.continueList("plain", 5, 5), null);
  assert.equal(md.continueList("- one", 1, 1), null);
});

test("word count leaves out markup and reading time rounds, at least a minute", () => {
  assert.equal(md.countWords("## A heading\n\n**Bold** and ||Part 2: hidden|| [link](https://x.org) ![alt text](image:k)\n::: cite slug\n:::"), 10);
  assert.equal(md.readingMinutes(0), 0);
  assert.equal(md.readingMinutes(10), 1);
  assert.equal(md.readingMinutes(920), 4);
});
