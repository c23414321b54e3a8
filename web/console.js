// console.js - small additions to the console's pages, which work without it.
// Buttons and links marked data-confirm ask before acting; elements marked
// data-key="k" are reached with the k key (the key is shown in the title).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("[data-confirm]")) {
    el.addEventListener("click", (ev) => {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  }
  const keyed = new Map();
  for (const el of document.querySelectorAll("[data-key]")) {
    keyed.set(el.getAttribute("data-key"), el);
    if (!el.title) el.title = "Key: " + el.getAttribute("data-key");
  }
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    const el = keyed.get(ev.key);
    if (el) { ev.preventDefault(); el.focus(); if (el.tagName === "A") el.click(); }
  });
});
