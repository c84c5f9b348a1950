// Live Markdown preview in the review admin. Without JavaScript the preview shows
// the saved version; with it, the preview follows the text as the critic types.
// The server renders and sanitizes, so the HTML inserted here is the stored kind.
(function () {
  "use strict";
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  document.addEventListener("DOMContentLoaded", function () {
    var source = document.querySelector("textarea.markdown-source");
    var preview = document.querySelector(".markdown-preview");
    if (!source || !preview) return;
    var url = preview.getAttribute("data-preview-url");
    var timer = null;
    function refresh() {
      var body = new FormData();
      body.append("body", source.value);
      var slug = document.querySelector("input[name=slug]");
      body.append("slug", slug ? slug.value : "");
      var format = document.querySelector("select[name=body_format]");
      if (format) body.append("body_format", format.value);
      fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrfToken() }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) preview.innerHTML = data.html; });
    }
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 400);
    });
  });
})();
