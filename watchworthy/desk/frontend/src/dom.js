// Small DOM helpers: element creation, ids, and the desk's modal dialogs.

let counter = 0;

/** A unique id for labels and descriptions. */
export function uid(prefix) {
  counter += 1;
  return `desk-${prefix}-${counter}`;
}

/** h("button", {type: "button", class: "x", onclick}, "text", child…) */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "class") node.className = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A labelled field: label, control, optional hint and an error slot, wired by ids. */
export function field(labelText, control, hint) {
  const id = control.id || uid("field");
  control.id = id;
  const hintNode = hint ? h("p", { class: "de-hint", id: `${id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  return h("div", { class: "de-field" }, h("label", { for: id }, labelText), hintNode, control);
}

let host = null;

/** Where dialogs live: outside the review form (their fields are not the review's). */
export function dialogHost() {
  if (!host) {
    host = h("div", { class: "de-dialogs" });
    document.body.append(host);
  }
  return host;
}

/**
 * A modal <dialog> with a heading, content and buttons. `onSubmit(form, submitter)` runs
 * on the primary button (after the browser's own checks of required fields); when it
 * returns a promise the dialog stays open, busy, until it settles, and closes when it
 * resolves to anything but `false`. Escape or Cancel closes it and calls `onCancel`.
 * Focus goes to the first field (or `initial`) and comes back to `returnFocus` after.
 */
export function openDialog({ title, content, submitLabel, onSubmit, onCancel, returnFocus, initial, description, cancelLabel = "Cancel", extraButtons = [] }) {
  const titleId = uid("dialog-title");
  const errors = h("div", { class: "de-dialog-errors", role: "alert" });
  const submit = submitLabel ? h("button", { type: "submit", class: "de-primary" }, submitLabel) : null;
  const cancel = h("button", { type: "button", value: "cancel" }, cancelLabel);
  const form = h(
    "form",
    { method: "dialog", class: "de-dialog-form" },
    h("h2", { id: titleId }, title),
    content,
    errors,
    h("div", { class: "de-dialog-buttons" }, submit, extraButtons, cancel),
  );
  const dialog = h("dialog", { class: "de-dialog", "aria-labelledby": titleId }, form);
  if (description) {
    // Read out with the dialog's name: what the choice is about.
    description.id = description.id || uid("dialog-description");
    dialog.setAttribute("aria-describedby", description.id);
  }
  let settled = false;
  let busy = false;

  const close = () => {
    if (dialog.open) dialog.close();
  };
  const finish = () => {
    dialog.remove();
    if (returnFocus) returnFocus();
  };
  cancel.addEventListener("click", () => {
    if (!busy) close();
  });
  dialog.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault();
  });
  dialog.addEventListener("close", () => {
    if (!settled && onCancel) onCancel();
    finish();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (busy || !onSubmit) return;
    errors.replaceChildren();
    const result = onSubmit(form, event.submitter);
    if (result && typeof result.then === "function") {
      busy = true;
      form.setAttribute("aria-busy", "true");
      for (const button of form.querySelectorAll("button")) button.disabled = true;
      result
        .then((outcome) => {
          if (outcome !== false) {
            settled = true;
            close();
          }
        })
        .catch((error) => showErrors([error.message || String(error)]))
        .finally(() => {
          busy = false;
          form.removeAttribute("aria-busy");
          for (const button of form.querySelectorAll("button")) button.disabled = false;
        });
    } else if (result !== false) {
      settled = true;
      close();
    }
  });

  function showErrors(messages) {
    errors.replaceChildren(h("ul", {}, messages.map((message) => h("li", {}, message))));
  }

  dialogHost().append(dialog);
  dialog.showModal();
  const first = initial === "submit" ? submit : initial || form.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button");
  if (first) first.focus();
  return {
    dialog,
    form,
    showErrors,
    resolve() {
      settled = true;
      close();
    },
  };
}
