// Nothing lost: autosave 3 s after the last change and when the page is hidden or left,
// a copy of unsent text in this browser (restored on return, sent when back online),
// and a 409 from the server (saved elsewhere since) becomes a choice, never an overwrite.
import { h, openDialog } from "./dom.js";
import { errorMessages } from "./server.js";

const DELAY = 3000;
const RETRY = 30000;
const TEXT_FIELDS = ["title", "subtitle", "excerpt", "verdict", "score", "spoils_up_to"];
export const FIELDS = [...TEXT_FIELDS, "cover"];
const LABELS = { spoils_up_to: "Spoils up to", body: "Text" };

/** The same value as the form shows it? ("8" and "8.0" are the same score.) */
export function sameValue(a, b) {
  const x = String(a ?? "").trim();
  const y = String(b ?? "").trim();
  if (x === y) return true;
  return x !== "" && y !== "" && Number.isFinite(Number(x)) && Number(x) === Number(y);
}

function timeLabel(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export class Autosave {
  constructor(desk) {
    this.desk = desk;
    this.key = `watchworthy:desk:review:${desk.reviewId}`;
    this.timer = 0;
    this.retryTimer = 0;
    this.seq = 0; // bumped by every change
    this.savedSeq = 0; // the change the server has
    this.inFlight = null;
    this.conflict = null; // the 409 answer waiting for a choice
    this.state = "clean";
    const revisionInput = desk.field("revision");
    this.revision = revisionInput ? revisionInput.value : "";

    desk.form.addEventListener("input", (event) => this.fieldChanged(event));
    desk.form.addEventListener("change", (event) => this.fieldChanged(event));
    desk.form.addEventListener("submit", () => {
      clearTimeout(this.timer);
      this.keepLocal();
    });
    window.addEventListener("online", () => {
      if (this.dirty) this.save();
    });
    window.addEventListener("offline", () => {
      if (this.dirty) desk.say("Offline — kept in this browser", "offline");
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush();
    });
    window.addEventListener("pagehide", () => this.flush());
  }

  get dirty() {
    return this.seq !== this.savedSeq;
  }

  fieldChanged(event) {
    const name = event.target && event.target.name;
    if (!FIELDS.includes(name) || event.target.type === "hidden") return;
    this.changed();
  }

  /** Something in the review changed: keep it here at once, send it 3 s after the last change. */
  changed() {
    this.seq += 1;
    this.keepLocal();
    if (this.conflict) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), DELAY);
  }

  values() {
    const fields = {};
    for (const name of FIELDS) {
      const control = this.desk.field(name);
      if (control) fields[name] = control.value;
    }
    return fields;
  }

  payload() {
    return { ...this.values(), body: this.desk.body, revision: this.revision };
  }

  // --- the copy in this browser ---------------------------------------------------------

  keepLocal() {
    if (!this.dirty) return;
    try {
      const copy = { base: this.revision, fields: this.values(), body: this.desk.body, at: Date.now() };
      localStorage.setItem(this.key, JSON.stringify(copy));
    } catch {
      // Storage full or refused (private mode): the server copy is all there is.
    }
  }

  readLocal() {
    try {
      const copy = JSON.parse(localStorage.getItem(this.key) || "null");
      return copy && typeof copy.body === "string" ? copy : null;
    } catch {
      return null;
    }
  }

  dropLocal() {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // nothing kept, nothing to drop
    }
  }

  /** On load: text kept in this browser that the server does not have is offered back. */
  offerRestore() {
    const copy = this.readLocal();
    if (!copy) return;
    const fields = this.values();
    // The words decide (the cover of a published review is not kept by autosave).
    const same = copy.body === this.desk.body && TEXT_FIELDS.every((name) => !(name in copy.fields) || sameValue(copy.fields[name], fields[name]));
    if (same) {
      this.dropLocal();
      return;
    }
    const when = timeLabel(new Date(copy.at));
    const older = Number(copy.base) < Number(this.revision);
    const message = older
      ? `This browser kept text from ${when} that was never saved; the review has been saved elsewhere since (revision ${this.revision}). Restoring it offers a merge.`
      : `This browser kept text from ${when} that is newer than the saved review.`;
    this.desk.notice(
      message,
      [
        ["Restore it", () => this.restore(copy)],
        ["Discard it", () => this.dropLocal()],
      ],
      "warning",
    );
  }

  restore(copy) {
    for (const [name, value] of Object.entries(copy.fields || {})) {
      const control = this.desk.field(name);
      if (control && FIELDS.includes(name)) control.value = value;
    }
    // Edited from that revision: if the server moved on, the save answers 409 and merges.
    this.setRevision(copy.base);
    this.desk.setBody(copy.body);
    this.save();
  }

  setRevision(value) {
    this.revision = String(value);
    const input = this.desk.field("revision");
    if (input) input.value = this.revision;
  }

  // --- sending ------------------------------------------------------------------------

  /** Page hidden or left: send now (keepalive outlives the page); the local copy stays until it answers. */
  flush() {
    clearTimeout(this.timer);
    if (!this.dirty || this.conflict) return;
    this.keepLocal();
    this.save({ keepalive: true });
  }

  async save({ keepalive = false } = {}) {
    clearTimeout(this.timer);
    const url = this.desk.server.urls.autosave;
    if (!url || this.conflict || !this.dirty) return;
    if (this.inFlight && (!keepalive || this.inFlightSeq === this.seq)) {
      this.again = true;
      return;
    }
    const seq = this.seq;
    this.inFlightSeq = seq;
    const fields = this.payload();
    let answer;
    const request = this.desk.server.post(url, fields, { keepalive });
    this.inFlight = request;
    this.desk.status.dataset.saving = "true";
    try {
      answer = await request;
    } catch {
      if (keepalive && this.inFlight === request) {
        // A keepalive body over 64 KB is refused by the browser: try an ordinary request.
        this.inFlight = null;
        return this.save();
      }
      this.offline();
      return;
    } finally {
      if (this.inFlight === request) this.inFlight = null;
      delete this.desk.status.dataset.saving;
    }
    this.answered(answer, seq, fields);
    if (this.again) {
      this.again = false;
      if (this.dirty && !this.conflict) this.timer = setTimeout(() => this.save(), DELAY);
    }
  }

  offline() {
    this.desk.say("Offline — kept in this browser", "offline");
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (this.dirty) this.save();
    }, RETRY);
  }

  answered({ status, data }, seq, sent) {
    const desk = this.desk;
    if (status === 200 && data && data.revision !== undefined) {
      // Two saves in flight (a keepalive on leaving) may answer out of order.
      if (!(Number(data.revision) < Number(this.revision))) this.setRevision(data.revision);
      this.savedSeq = Math.max(this.savedSeq, seq);
      this.clearFieldErrors();
      const label = data.saved_label || `Saved ${timeLabel(data.saved_at ? new Date(data.saved_at) : new Date())}`;
      desk.say(label, "saved");
      if (!this.dirty) this.dropLocal();
      else this.keepLocal();
      return;
    }
    if (status === 409 && data && data.conflict) {
      const theirs = data.theirs || {};
      // The other save holds exactly this text (our own save from a page that was left): no conflict.
      const sameAsOurs = theirs.body === sent.body && FIELDS.every((name) => !(name in theirs) || sameValue(theirs[name], sent[name]));
      if (sameAsOurs) {
        this.setRevision(data.revision);
        this.savedSeq = Math.max(this.savedSeq, seq);
        desk.say(`Saved ${timeLabel(new Date())}`, "saved");
        if (!this.dirty) this.dropLocal();
        return;
      }
      this.conflict = data;
      desk.say("Conflict — this review was saved elsewhere. Nothing was overwritten; choose what to keep.", "conflict");
      this.showConflict();
      return;
    }
    if (status === 400) {
      const messages = errorMessages(data, this.labels());
      this.showFieldErrors(data);
      desk.say(`Not saved — ${messages.join(" ")} Your text is kept in this browser.`, "error");
      return;
    }
    if (status === 403) {
      desk.say("Not saved — you may have been signed out. Your text is kept in this browser.", "error");
      return;
    }
    this.offline();
  }

  labels() {
    const labels = { ...LABELS };
    for (const name of FIELDS) {
      const control = this.desk.field(name);
      const label = control && control.labels && control.labels[0];
      if (label) labels[name] = label.textContent.trim().replace(/[:*]\s*$/, "");
    }
    return labels;
  }

  showFieldErrors(data) {
    this.clearFieldErrors();
    const errors = (data && data.errors) || {};
    for (const [name, messages] of Object.entries(errors)) {
      const control = this.desk.field(name);
      if (!control || control.type === "hidden" || !control.id) continue;
      const note = h("p", { class: "de-field-error", id: `${control.id}-desk-error` }, [].concat(messages).map((m) => (m && m.message) || m).join(" "));
      control.setAttribute("aria-invalid", "true");
      control.dataset.deskDescribedby = control.getAttribute("aria-describedby") || "";
      control.setAttribute("aria-describedby", `${control.dataset.deskDescribedby} ${note.id}`.trim());
      control.after(note);
    }
  }

  clearFieldErrors() {
    for (const note of this.desk.form.querySelectorAll(".de-field-error")) note.remove();
    for (const control of this.desk.form.querySelectorAll("[data-desk-describedby]")) {
      control.removeAttribute("aria-invalid");
      const before = control.dataset.deskDescribedby;
      if (before) control.setAttribute("aria-describedby", before);
      else control.removeAttribute("aria-describedby");
      delete control.dataset.deskDescribedby;
    }
  }

  // --- conflicts ----------------------------------------------------------------------

  showConflict() {
    const data = this.conflict;
    if (!data) return;
    const desk = this.desk;
    const mergeId = "desk-conflict-merge";
    const explanation = h(
        "p",
        {},
        `Another tab or device saved this review (revision ${data.revision}) after you loaded it. `,
        data.clean
          ? "Your changes and theirs merge cleanly."
          : "Your changes and theirs overlap: the merge marks the overlapping parts between <<<<<<< yours and >>>>>>> saved elsewhere for you to settle.",
      );
    const content = [
      explanation,
      h("label", { for: mergeId }, "The merged text"),
      h("textarea", { id: mergeId, readonly: true, rows: 8, class: "de-merge" }, data.merged || ""),
    ];
    const resolved = () => {
      this.conflict = null;
      desk.status.dataset.kind = "";
    };
    const dialog = openDialog({
      title: "Saved elsewhere since you started",
      content,
      submitLabel: "Use the merge",
      cancelLabel: "Decide later",
      description: explanation,
      initial: "submit",
      returnFocus: () => desk.view.focus(),
      onCancel: () => {
        desk.say("Conflict — not saved until you choose.", "conflict");
        desk.notice("This review was saved elsewhere while you wrote. Nothing is saved until you choose.", [["Choose now", () => this.showConflict()]], "warning");
      },
      onSubmit: () => {
        resolved();
        this.setRevision(data.revision);
        desk.setBody(data.merged || "");
        this.save();
        if (!data.clean) {
          desk.notice("The merge has overlapping parts, marked between <<<<<<< yours and >>>>>>> saved elsewhere: settle them in the text.", [["Understood", () => desk.view.focus()]], "warning");
        }
      },
      extraButtons: [
        h("button", { type: "button", onclick: () => keepCopy() }, "Keep mine as a copy"),
        h("button", { type: "button", onclick: () => { resolved(); this.loadTheirs(data); dialog.resolve(); } }, "Load theirs"),
      ],
    });
    const keepCopy = async () => {
      const url = desk.server.urls.copy;
      const form = dialog.form;
      for (const button of form.querySelectorAll("button")) button.disabled = true;
      try {
        const { status, data: answer } = await desk.server.post(url, this.payload());
        if (status !== 200 || !answer || !answer.url) throw new Error(errorMessages(answer, this.labels()).join(" "));
        resolved();
        this.loadTheirs(data);
        dialog.resolve();
        desk.notice(["Your text was kept as a new draft: ", h("a", { href: answer.url }, "open your copy"), "."], [["Dismiss", () => desk.view.focus()]]);
        desk.say("Your text was kept as a copy; this review now shows the version saved elsewhere.", "saved");
      } catch (error) {
        dialog.showErrors([error && error.message ? `The copy could not be made: ${error.message}` : "The copy could not be made (offline?)."]);
      } finally {
        for (const button of form.querySelectorAll("button")) button.disabled = false;
      }
    };
  }

  /** Show what was saved elsewhere; the browser now edits from that revision. */
  loadTheirs(data) {
    const theirs = data.theirs || {};
    for (const name of FIELDS) {
      const control = this.desk.field(name);
      if (control && name in theirs) control.value = theirs[name] ?? "";
    }
    this.setRevision(data.revision);
    this.desk.setBody(typeof theirs.body === "string" ? theirs.body : "", { silent: true });
    this.savedSeq = this.seq;
    clearTimeout(this.timer);
    this.dropLocal();
    this.desk.say("Showing the version saved elsewhere.", "saved");
  }
}
