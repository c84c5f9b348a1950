// The live preview: the server's own rendering of the text (the published page's
// pipeline), 400 ms after typing stops, and again when "Preview as" changes.
import { countWords, readingMinutes } from "./markdown.js";

const DELAY = 400;

export class Preview {
  constructor(desk) {
    this.desk = desk;
    this.timer = 0;
    this.controller = null;
    this.select = document.getElementById("desk-preview-as");
    if (this.select) this.select.addEventListener("change", () => this.schedule(0));
    const title = desk.field("title");
    if (title) title.addEventListener("input", () => this.schedule());
  }

  /** Keep the preview beside the cursor: scroll it to the same share of its length. */
  follow() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const pane = this.desk.previewSection && this.desk.previewSection.closest(".desk-preview-pane");
      if (!pane || pane.scrollHeight <= pane.clientHeight + 1) return;
      const state = this.desk.view.state;
      const line = state.doc.lineAt(state.selection.main.head).number;
      const share = state.doc.lines > 1 ? (line - 1) / (state.doc.lines - 1) : 0;
      pane.scrollTop = Math.round(share * (pane.scrollHeight - pane.clientHeight));
    });
  }

  schedule(delay = DELAY) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(), delay);
  }

  async render() {
    const desk = this.desk;
    const section = desk.previewSection;
    const body = desk.body;
    const local = countWords(body);
    if (!section || !desk.server.urls.preview) {
      desk.showCount(local, readingMinutes(local));
      return;
    }
    if (this.controller) this.controller.abort();
    const controller = new AbortController();
    this.controller = controller;
    const title = desk.field("title");
    section.setAttribute("aria-busy", "true");
    try {
      const { status, data } = await desk.server.post(
        desk.server.urls.preview,
        { body, title: title ? title.value : "", preview_as: this.select ? this.select.value : "" },
        { signal: controller.signal },
      );
      if (controller !== this.controller) return;
      if (status === 200 && data && typeof data.html === "string") {
        // The server's sanitized HTML (core.sanitize), as on the published page.
        section.innerHTML = data.html;
        this.follow();
        section.dataset.stale = "false";
        desk.showCount(Number(data.words ?? local), Number(data.minutes ?? readingMinutes(local)));
        return;
      }
      section.dataset.stale = "true";
    } catch (error) {
      if (error && error.name === "AbortError") return;
      section.dataset.stale = "true";
    } finally {
      if (controller === this.controller) {
        section.removeAttribute("aria-busy");
        this.controller = null;
      }
    }
    desk.showCount(local, readingMinutes(local));
  }
}
