// The desk's dialogs: spoiler scope, citation search, image upload (also the cover).
import { field, h, openDialog, uid } from "./dom.js";
import * as md from "./markdown.js";
import { errorMessages } from "./server.js";

let lastScope = null; // the scope picked last, offered first next time

/** Mark the selection as a spoiler, scoped to a part/episode from data-scopes (or not). */
export function spoilerDialog(desk, from, to) {
  const multiline = desk.body.slice(from, to).includes("\n");
  const values = desk.scopes.map(([value]) => value);
  const chosen = lastScope !== null && (lastScope === "" || values.includes(lastScope)) ? lastScope : values[0] || "";
  const select = h(
    "select",
    {},
    desk.scopes.map(([value, label]) => h("option", { value, selected: value === chosen }, label)),
    h("option", { value: "", selected: chosen === "" }, "No scope: closed for every reader"),
  );
  const hint = multiline
    ? "The selected lines become a spoiler block."
    : from === to
      ? "Inserts an inline spoiler to type into."
      : "The selected words become an inline spoiler.";
  openDialog({
    title: "Mark as spoiler",
    content: [field("How far does it spoil?", select, hint)],
    submitLabel: "Mark as spoiler",
    returnFocus: () => desk.view.focus(),
    onSubmit: () => {
      const value = select.value;
      lastScope = value;
      const label = (desk.scopes.find(([v]) => v === value) || [null, ""])[1];
      desk.applyEdit(md.spoiler(desk.body, from, to, md.scopeText(value, label)));
    },
  });
}

/** Search the critic's reviews and insert a citation card. */
export function citeDialog(desk, from, to) {
  const searchId = uid("cite-q");
  const input = h("input", { type: "search", id: searchId, autocomplete: "off", spellcheck: "false" });
  const results = h("ul", { class: "de-cite-results", "aria-label": "Matching reviews" });
  const found = h("p", { class: "de-hint", role: "status" });
  let timer = 0;
  let controller = null;
  let dialog = null;
  const choose = (slug) => {
    desk.applyEdit(md.cite(desk.body, from, to, slug));
    dialog.resolve();
  };
  const lookup = async () => {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const { status, data } = await desk.server.get(desk.server.urls.cite, { q: input.value.trim() }, { signal: controller.signal });
      if (status !== 200 || !data) throw new Error(String(status));
      const rows = Array.isArray(data.results) ? data.results : [];
      results.replaceChildren(
        ...rows.map((row) =>
          h(
            "li",
            {},
            h(
              "button",
              { type: "button", class: "de-cite-pick", onclick: () => choose(row.slug) },
              h("span", { class: "de-cite-title" }, row.title),
              row.verdict ? h("span", { class: "de-cite-verdict" }, ` — ${row.verdict}`) : null,
            ),
          ),
        ),
      );
      found.textContent = rows.length ? `${rows.length} ${rows.length === 1 ? "review" : "reviews"} found.` : "No review of yours matches.";
    } catch (error) {
      if (error && error.name === "AbortError") return;
      found.textContent = "The search did not answer (offline?).";
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(lookup, 250);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      // Enter picks the first match instead of submitting.
      event.preventDefault();
      const first = results.querySelector("button");
      if (first) first.click();
    } else if (event.key === "ArrowDown") {
      const first = results.querySelector("button");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  results.addEventListener("keydown", (event) => {
    const buttons = [...results.querySelectorAll("button")];
    const index = buttons.indexOf(document.activeElement);
    if (index === -1 || !["ArrowDown", "ArrowUp"].includes(event.key)) return;
    event.preventDefault();
    const next = event.key === "ArrowDown" ? buttons[index + 1] : buttons[index - 1];
    (next || input).focus();
  });
  dialog = openDialog({
    title: "Cite one of your reviews",
    content: [
      field("Search your reviews", input, "Type words from its title; Enter cites the first match."),
      found,
      results,
    ],
    returnFocus: () => desk.view.focus(),
  });
  lookup();
}

/**
 * Upload an image with its alt text (required) and caption, then insert its figure at
 * `pos` — or, with `cover: true`, make it the review's cover. `file` comes from a paste or
 * a drop; without it the dialog asks for one.
 */
export function imageDialog(desk, { file = null, pos = 0, to = pos, cover = false, opener = null }) {
  const spot = cover ? null : desk.trackPosition(pos, to);
  const fileInput = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/gif", required: !file });
  const alt = h("input", { type: "text", required: true, maxlength: "300", autocomplete: "off" });
  const caption = h("input", { type: "text", maxlength: "300", autocomplete: "off" });
  const shown = h("img", { class: "de-upload-preview", alt: "", hidden: true });
  const showFile = (chosen) => {
    if (!chosen) {
      shown.hidden = true;
      return;
    }
    // A data: address (the CSP allows data: images, not blob:).
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      shown.src = String(reader.result);
      shown.hidden = false;
    });
    reader.readAsDataURL(chosen);
  };
  fileInput.addEventListener("change", () => showFile(fileInput.files[0]));
  const content = [
    file
      ? h("p", { class: "de-hint" }, `${cover ? "Cover" : "Image"}: ${file.name || "pasted image"} (${Math.max(1, Math.round(file.size / 1024))} KB)`)
      : field(cover ? "Cover image file" : "Image file", fileInput, "JPEG, PNG, WebP or a still GIF."),
    shown,
    field("Alt text (required)", alt, "What the image shows, for people who cannot see it."),
    field("Caption (optional)", caption),
  ];
  if (file) showFile(file);
  const dialog = openDialog({
    title: cover ? "Choose the cover image" : "Add an image",
    content,
    submitLabel: cover ? "Upload and use as cover" : "Upload and insert",
    returnFocus: () => (opener ? opener.focus() : desk.view.focus()),
    initial: file ? alt : fileInput,
    onCancel: () => spot && spot.forget(),
    onSubmit: async () => {
      const chosen = file || fileInput.files[0];
      const data = new FormData();
      data.append("file", chosen, chosen.name || "pasted-image");
      data.append("alt_text", alt.value.trim());
      data.append("caption", caption.value.trim());
      data.append("review", desk.reviewId);
      let answer;
      try {
        answer = await desk.server.post(desk.server.urls.upload, data);
      } catch {
        throw new Error("The upload did not reach the server (offline?). Try again when you are back online.");
      }
      const { status, data: reply } = answer;
      if (status !== 200 || !reply || !reply.markdown) {
        dialog.showErrors(errorMessages(reply, { file: "File", alt_text: "Alt text", caption: "Caption" }));
        const invalid = reply && reply.errors ? Object.keys(reply.errors) : [];
        (invalid.includes("alt_text") ? alt : invalid.includes("file") && !file ? fileInput : alt).focus();
        return false;
      }
      if (cover) desk.setCover(reply, alt.value.trim());
      else spot.insert(reply.markdown);
      desk.say(cover ? "Cover uploaded." : "Image uploaded and inserted.", "saved");
      return true;
    },
  });
}
