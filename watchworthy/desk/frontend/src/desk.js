// The writing desk's editor: progressive enhancement of the plain review form
// (#desk-editor). The textarea stays in the form, hidden, named `body` and kept in step,
// so the form's own Save button still works; everything here only adds to it.
import { Annotation, EditorSelection, EditorState, Prec } from "@codemirror/state";
import { EditorView, drawSelection, keymap } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { search, searchKeymap } from "@codemirror/search";
import { tags } from "@lezer/highlight";

import { markdown } from "./language.js";

import { h, uid } from "./dom.js";
import * as md from "./markdown.js";
import { Server } from "./server.js";
import { Autosave } from "./autosave.js";
import { Preview } from "./preview.js";
import { citeDialog, imageDialog, spoilerDialog } from "./tools.js";

// Marks a text replacement that is not the critic's own edit (theirs, loaded after a conflict).
const external = Annotation.define();

const IS_MAC = /Mac|iP(hone|ad|od)/.test(navigator.platform || navigator.userAgent);

// What the toolbar holds: [id, visible name, CodeMirror key, what it does].
const TOOLS = [
  ["bold", "Bold", "Mod-b"],
  ["italic", "Italic", "Mod-i"],
  ["link", "Link", "Mod-k"],
  ["heading", "Heading", "Mod-Alt-h"],
  ["quote", "Quote", "Mod-Alt-q"],
  ["spoiler", "Spoiler", "Mod-Shift-s"],
  ["cite", "Cite a review", "Mod-Alt-c"],
  ["image", "Image", "Mod-Alt-m"],
  ["focus", "Focus mode", "Mod-Shift-f"],
];

/** "Mod-Shift-s" → "Control+Shift+S" (aria-keyshortcuts) and "Ctrl+Shift+S" (shown). */
function keyNames(key) {
  const parts = key.split("-").map((part) => (part.length === 1 ? part.toUpperCase() : part));
  const aria = parts.map((part) => ({ Mod: IS_MAC ? "Meta" : "Control" })[part] || part).join("+");
  const shown = parts.map((part) => ({ Mod: IS_MAC ? "⌘" : "Ctrl", Alt: IS_MAC ? "⌥" : "Alt" })[part] || part).join("+");
  return { aria, shown };
}

const highlight = HighlightStyle.define([
  { tag: tags.heading, fontWeight: "700" },
  { tag: tags.heading1, fontSize: "1.35em" },
  { tag: tags.heading2, fontSize: "1.2em" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.strikethrough, textDecoration: "line-through" },
  { tag: [tags.link, tags.url], color: "var(--link)" },
  { tag: tags.quote, color: "var(--muted)", fontStyle: "italic" },
  { tag: tags.monospace, fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: "var(--muted)" },
]);

const theme = EditorView.theme({
  "&": { minHeight: "100%", color: "var(--text)", backgroundColor: "var(--surface)", fontSize: "1.0625rem" },
  "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "-2px" },
  ".cm-scroller": { fontFamily: "var(--font)", lineHeight: "1.65", minHeight: "inherit" },
  ".cm-content": { padding: "1rem 1.25rem", caretColor: "var(--text)", maxWidth: "46rem", margin: "0 auto" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)", borderLeftWidth: "2px" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection":
    { backgroundColor: "color-mix(in srgb, var(--focus) 30%, transparent)" },
  ".cm-panels": { backgroundColor: "var(--bg)", color: "var(--text)", borderColor: "var(--border)" },
  ".cm-panels input, .cm-panels button": { font: "inherit", color: "inherit" },
  ".cm-textfield": { backgroundColor: "var(--surface)", border: "1px solid var(--border)" },
  ".cm-button": { backgroundImage: "none", backgroundColor: "var(--surface)", border: "1px solid var(--border)" },
  ".cm-searchMatch": { backgroundColor: "color-mix(in srgb, var(--skip) 30%, transparent)" },
});

export class Desk {
  constructor(form) {
    this.form = form;
    this.server = new Server(form);
    this.reviewId = form.dataset.review || "";
    this.textarea = form.querySelector("textarea[name=body]");
    this.scopes = parseScopes(form.dataset.scopes);
    this.pendingInserts = new Set(); // positions kept in step with edits (image uploads)
  }

  field(name) {
    const control = this.form.elements.namedItem(name);
    return control instanceof RadioNodeList ? control[0] : control;
  }

  start() {
    this.buildLayout();
    this.view = this.createEditor();
    this.preview = new Preview(this);
    this.autosave = new Autosave(this);
    this.setupCover();
    this.setupFocusMode();
    this.form.addEventListener("submit", () => this.syncTextarea());
    this.form.dataset.deskEnhanced = "true";
    this.autosave.offerRestore();
    this.preview.schedule(0);
  }

  // --- layout -------------------------------------------------------------------------

  buildLayout() {
    const label = this.textarea.labels && this.textarea.labels[0];
    this.labelText = label ? ownText(label) || "Text" : "Text";
    this.toolbar = h("div", { class: "de-toolbar", role: "toolbar", "aria-label": "Formatting and tools" });
    // The page's status line (#desk-status) if it has one, else ours.
    this.status = document.getElementById("desk-status") || h("p", { class: "desk-status", role: "status" });
    this.count = h("p", { class: "de-count" });
    this.notices = h("div", { class: "de-notices" });
    this.source = h("div", { class: "de-source" });
    this.previewSection = document.getElementById("desk-preview");
    this.writer = h(
      "div",
      { class: "de-writer" },
      this.toolbar,
      this.notices,
      this.source,
      h("div", { class: "de-bar" }, this.status, this.count),
    );
    this.textarea.after(this.writer);
    this.textarea.hidden = true;
    this.form.classList.add("de-enhanced");
    // The preview pane scrolls on its own beside the editor: reachable by keyboard.
    const pane = this.previewSection && this.previewSection.closest(".desk-preview-pane");
    if (pane && !pane.hasAttribute("tabindex")) pane.tabIndex = 0;
    if (label) label.addEventListener("click", () => this.view.focus());
    // The no-JavaScript preview button gives way to the live preview.
    for (const button of this.form.querySelectorAll("button[name=action][value=preview]")) button.hidden = true;
    this.buildToolbar();
  }

  buildToolbar() {
    this.toolButtons = {};
    for (const [id, name, key] of TOOLS) {
      const keys = keyNames(key);
      const button = h(
        "button",
        {
          type: "button",
          class: `de-tool de-tool-${id}`,
          "aria-keyshortcuts": keys.aria,
          title: `${name} (${keys.shown})`,
          tabindex: id === "bold" ? "0" : "-1",
          onclick: () => this.run(id),
        },
        name,
      );
      if (id === "focus") button.setAttribute("aria-pressed", "false");
      this.toolButtons[id] = button;
      this.toolbar.append(button);
    }
    // One tab stop; arrow keys, Home and End move along the toolbar.
    this.toolbar.addEventListener("keydown", (event) => {
      const buttons = [...this.toolbar.querySelectorAll("button:not([hidden])")];
      const index = buttons.indexOf(document.activeElement);
      if (index === -1) return;
      const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = buttons[(moves[event.key] + buttons.length) % buttons.length];
      for (const button of buttons) button.tabIndex = button === next ? 0 : -1;
      next.focus();
    });
  }

  createEditor() {
    const root = this.source.attachShadow({ mode: "open" });
    // CodeMirror keeps its styles in constructed style sheets inside the shadow root,
    // which the site's Content-Security-Policy (style-src 'self', no inline style) allows.
    // Focus mode's key works anywhere on the page (setupFocusMode), the others in the text.
    const toolKeys = TOOLS.filter(([id]) => id !== "focus").map(([id, , key]) => ({ key, preventDefault: true, run: () => this.run(id) }));
    toolKeys.push({ key: "Escape", run: () => this.leaveFocusMode() });
    toolKeys.push({
      key: "Enter",
      run: () => {
        const { text, from, to } = this.selection();
        const edit = md.continueList(text, from, to);
        if (!edit) return false;
        this.applyEdit(edit);
        return true;
      },
    });
    const view = new EditorView({
      root,
      parent: root,
      state: EditorState.create({
        doc: this.textarea.value,
        extensions: [
          Prec.high(keymap.of(toolKeys)),
          history(),
          drawSelection(),
          EditorView.lineWrapping,
          EditorState.allowMultipleSelections.of(false),
          markdown(),
          syntaxHighlighting(highlight),
          search({ top: true }),
          keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap]),
          theme,
          EditorView.contentAttributes.of({
            "aria-label": this.labelText,
            // Focusable as it is (contenteditable); said out loud for checkers such as axe.
            tabindex: "0",
            spellcheck: "true",
            autocapitalize: "sentences",
            lang: document.documentElement.lang || "en",
          }),
          EditorView.updateListener.of((update) => this.onUpdate(update)),
          EditorView.domEventHandlers({
            paste: (event) => this.onPasteOrDrop(event, event.clipboardData, null),
            drop: (event, view) =>
              this.onPasteOrDrop(event, event.dataTransfer, view.posAtCoords({ x: event.clientX, y: event.clientY })),
          }),
        ],
      }),
    });
    return view;
  }

  onUpdate(update) {
    if (update.selectionSet || update.docChanged) this.preview.follow();
    if (!update.docChanged) return;
    for (const pending of this.pendingInserts) pending.pos = update.changes.mapPos(pending.pos);
    this.syncTextarea();
    if (!update.transactions.some((tr) => tr.annotation(external))) this.autosave.changed();
    this.preview.schedule();
  }

  get body() {
    return this.view.state.doc.toString();
  }

  syncTextarea() {
    if (this.view) this.textarea.value = this.body;
  }

  /** Replace the whole text (a restored copy, a merge, theirs) as one undoable step. */
  setBody(text, { silent = false } = {}) {
    this.view.dispatch({
      changes: { from: 0, to: this.view.state.doc.length, insert: text },
      annotations: silent ? external.of(true) : [],
    });
  }

  /** Apply an edit from markdown.js and put the cursor back in the text. */
  applyEdit(edit) {
    this.view.dispatch({
      changes: { from: edit.from, to: edit.to, insert: edit.insert },
      selection: EditorSelection.single(edit.anchor, edit.head),
      scrollIntoView: true,
      userEvent: "input.tool",
    });
    this.view.focus();
  }

  selection() {
    const range = this.view.state.selection.main;
    return { text: this.body, from: range.from, to: range.to };
  }

  run(id) {
    const { text, from, to } = this.selection();
    switch (id) {
      case "bold":
        this.applyEdit(md.toggleWrap(text, from, to, "**", "bold words"));
        break;
      case "italic":
        this.applyEdit(md.toggleWrap(text, from, to, "*", "italic words"));
        break;
      case "link":
        this.applyEdit(md.link(text, from, to));
        break;
      case "heading":
        this.applyEdit(md.toggleLinePrefix(text, from, to, "## ", /^#{1,6}\s+/));
        break;
      case "quote":
        this.applyEdit(md.toggleLinePrefix(text, from, to, "> ", /^>\s?/));
        break;
      case "spoiler":
        spoilerDialog(this, from, to);
        break;
      case "cite":
        citeDialog(this, from, to);
        break;
      case "image":
        imageDialog(this, { file: null, pos: from, to });
        break;
      case "focus":
        this.toggleFocusMode();
        break;
    }
    return true;
  }

  onPasteOrDrop(event, transfer, pos) {
    const files = transfer ? [...transfer.files].filter((file) => file.type.startsWith("image/")) : [];
    if (!files.length) return false;
    event.preventDefault();
    const { from, to } = this.selection();
    const at = pos === null || pos === undefined ? from : pos;
    imageDialog(this, { file: files[0], pos: at, to: pos === null || pos === undefined ? to : at });
    return true;
  }

  /** Insert a block at a position that follows later edits (the text may change meanwhile). */
  trackPosition(pos, to = pos) {
    const pending = { pos, to };
    this.pendingInserts.add(pending);
    return {
      insert: (body) => {
        this.pendingInserts.delete(pending);
        const at = Math.min(pending.pos, this.view.state.doc.length);
        const end = Math.max(at, Math.min(pending.to ?? at, this.view.state.doc.length));
        this.applyEdit(md.block(this.body, at, end, body));
      },
      forget: () => this.pendingInserts.delete(pending),
    };
  }

  // --- cover --------------------------------------------------------------------------

  setupCover() {
    const input = this.field("cover");
    if (!input) return;
    let box = this.form.querySelector(".desk-cover");
    if (!box) {
      box = h("div", { class: "desk-cover" });
      input.after(box);
    }
    box.classList.add("de-cover");
    this.coverThumb = box.querySelector("img") || h("img", { class: "de-cover-thumb", alt: "", hidden: true });
    if (!this.coverThumb.isConnected) box.prepend(this.coverThumb);
    this.coverNote = box.querySelector(".help") || h("span", { class: "help" });
    if (!this.coverNote.isConnected) box.append(this.coverNote);
    this.coverNote.hidden = Boolean(input.value);
    const choose = h(
      "button",
      { type: "button", class: "de-cover-choose", onclick: (event) => imageDialog(this, { cover: true, opener: event.currentTarget }) },
      input.value ? "Change cover" : "Choose cover",
    );
    this.coverChoose = choose;
    this.coverRemove = h("button", { type: "button", class: "de-cover-remove", hidden: !input.value, onclick: () => this.setCover(null) }, "Remove cover");
    box.append(choose, this.coverRemove);
  }

  setCover(answer, altText = "") {
    const input = this.field("cover");
    input.value = answer ? String(answer.id) : "";
    const thumb = this.coverThumb;
    thumb.hidden = !(answer && answer.thumbnail);
    if (answer && answer.thumbnail) {
      thumb.removeAttribute("height");
      thumb.width = 160;
      thumb.src = answer.thumbnail;
      thumb.alt = `Cover: ${altText}`;
    }
    this.coverNote.hidden = Boolean(answer);
    this.coverNote.textContent = "No cover image.";
    this.coverChoose.textContent = answer ? "Change cover" : "Choose cover";
    this.coverRemove.hidden = !answer;
    this.say(answer ? "Cover chosen; it is saved with the text." : "Cover removed; saved with the text.", "");
    this.autosave.changed();
  }

  // --- focus mode ---------------------------------------------------------------------

  setupFocusMode() {
    this.inerted = [];
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.focusMode && !document.querySelector("dialog[open]")) this.leaveFocusMode();
    });
    // Before the editor sees it (its own Ctrl/⌘-F opens search).
    document.addEventListener(
      "keydown",
      (event) => {
        const mod = IS_MAC ? event.metaKey : event.ctrlKey;
        if (event.code !== "KeyF" || !event.shiftKey || event.altKey || !mod) return;
        if (document.querySelector("dialog[open]")) return;
        event.preventDefault();
        event.stopPropagation();
        this.toggleFocusMode();
      },
      true,
    );
  }

  toggleFocusMode() {
    if (this.focusMode) this.leaveFocusMode();
    else this.enterFocusMode();
  }

  enterFocusMode() {
    this.focusMode = true;
    document.documentElement.classList.add("de-focus-mode");
    this.toolButtons.focus.setAttribute("aria-pressed", "true");
    // Everything but the writer (and dialogs) is out of reach: not seen, not tabbed to.
    for (let node = this.writer; node && node !== document.body; node = node.parentElement) {
      for (const sibling of node.parentElement.children) {
        if (sibling !== node && !sibling.classList.contains("de-dialogs") && !sibling.inert && sibling.tagName !== "SCRIPT") {
          sibling.inert = true;
          this.inerted.push(sibling);
        }
      }
    }
    this.view.requestMeasure();
    this.view.focus();
  }

  leaveFocusMode() {
    if (!this.focusMode) return false;
    this.focusMode = false;
    document.documentElement.classList.remove("de-focus-mode");
    this.toolButtons.focus.setAttribute("aria-pressed", "false");
    for (const node of this.inerted) node.inert = false;
    this.inerted = [];
    this.view.requestMeasure();
    this.view.focus();
    return true;
  }

  // --- messages -----------------------------------------------------------------------

  /** The status line (read out politely); repeating the same words says nothing new. */
  say(text, kind = "") {
    this.status.dataset.kind = kind;
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  /** A notice above the editor with buttons; returns a function that removes it. */
  notice(message, actions = [], kind = "info") {
    const id = uid("notice");
    const box = h(
      "div",
      { class: `de-notice de-notice-${kind}`, role: "region", "aria-labelledby": id },
      h("p", { id }, message),
      h(
        "div",
        { class: "de-notice-buttons" },
        actions.map(([label, action]) =>
          h("button", { type: "button", onclick: () => { box.remove(); action(); } }, label),
        ),
      ),
    );
    this.notices.append(box);
    return () => box.remove();
  }

  showCount(words, minutes) {
    this.count.textContent = `${words.toLocaleString()} ${words === 1 ? "word" : "words"} · ${minutes} min read`;
  }
}

/** A label's own words, without the help inside it (<small>, .help). */
function ownText(label) {
  const copy = label.cloneNode(true);
  for (const help of copy.querySelectorAll("small, .help")) help.remove();
  return copy.textContent.replace(/\s+/g, " ").trim();
}

function parseScopes(raw) {
  try {
    const scopes = JSON.parse(raw || "[]");
    return Array.isArray(scopes) ? scopes.filter((s) => Array.isArray(s) && s.length >= 2).map((s) => [String(s[0]), String(s[1])]) : [];
  } catch {
    return [];
  }
}
