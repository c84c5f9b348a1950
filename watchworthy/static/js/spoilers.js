// Inline spoilers: a closed one is a "Spoiler: Part 2, ep 7" button followed by its
// words in a `hidden` element (not shown, not read out, not found by find-in-page).
// A click, a tap, Enter or Space reveals them here; hover and focus do nothing.
// Without JavaScript the button submits the page's reveal form (?reveal=<id>) and the
// server sends the page back with that spoiler open, so nothing here is required.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.spoiler-reveal") : null;
    if (!button) return;
    var words = document.getElementById(button.getAttribute("aria-controls"));
    if (!words) return;
    event.preventDefault();
    var spoiler = button.parentNode;
    var label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = button.textContent + ": ";
    words.hidden = false;
    words.tabIndex = -1;
    spoiler.classList.add("spoiler-open");
    spoiler.replaceChild(label, button);
    words.focus();
  });
})();
