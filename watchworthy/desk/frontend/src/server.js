// Talking to the desk's JSON endpoints (docs: notes/desk-contract.md, issue 11).

export class Server {
  constructor(form) {
    this.form = form;
    this.urls = {
      autosave: form.dataset.autosaveUrl,
      preview: form.dataset.previewUrl,
      upload: form.dataset.uploadUrl,
      cite: form.dataset.citeUrl,
      copy: form.dataset.copyUrl,
    };
  }

  get csrf() {
    const input = this.form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /**
   * POST form fields; resolves to { status, data } for any HTTP answer (data null when it
   * was not JSON) and rejects only when the server could not be reached.
   */
  async post(url, fields, { keepalive = false, signal } = {}) {
    const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
    const response = await fetch(url, {
      method: "POST",
      body,
      keepalive,
      signal,
      credentials: "same-origin",
      headers: { "X-CSRFToken": this.csrf, Accept: "application/json" },
    });
    return { status: response.status, data: await readJson(response) };
  }

  async get(url, params, { signal } = {}) {
    const address = new URL(url, window.location.href);
    for (const [key, value] of Object.entries(params)) address.searchParams.set(key, value);
    const response = await fetch(address, {
      signal,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    return { status: response.status, data: await readJson(response) };
  }
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** "score: Ensure this value…" lines from a 400 answer's {"errors": {...}}. */
export function errorMessages(data, labels = {}) {
  const errors = (data && data.errors) || {};
  const out = [];
  for (const [name, messages] of Object.entries(errors)) {
    const label = name === "__all__" ? "" : `${labels[name] || name}: `;
    for (const message of [].concat(messages)) out.push(label + (message.message || message));
  }
  return out.length ? out : ["The server refused this (no reason given)."];
}
