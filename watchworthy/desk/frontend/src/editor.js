// Entry point of the desk's editor bundle (built by build.mjs into static/desk/).
// Without the review form (#desk-editor) on the page it does nothing. Its styles are
// built into editor-<hash>.css, which the page links (manifest "editor.css").
import "./editor.css";
import { Desk } from "./desk.js";

function start() {
  const form = document.getElementById("desk-editor");
  if (!form || form.dataset.deskEnhanced || !form.querySelector("textarea[name=body]")) return;
  const desk = new Desk(form);
  desk.start();
  window.watchworthyDesk = desk;
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
