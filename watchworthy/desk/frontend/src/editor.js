// Entry point of the desk's editor bundle (built by build.mjs into static/desk/).
// Without the review form (#desk-editor) on the page it does nothing.
import css from "./editor.css";
import { Desk } from "./desk.js";

function adoptStyles() {
  // A constructed style sheet: allowed by the site's CSP, which forbids inline <style>.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}

function start() {
  const form = document.getElementById("desk-editor");
  if (!form || form.dataset.deskEnhanced || !form.querySelector("textarea[name=body]")) return;
  adoptStyles();
  const desk = new Desk(form);
  desk.start();
  window.watchworthyDesk = desk;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
