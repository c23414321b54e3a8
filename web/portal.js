// portal.js - an addition to the portal's pages, which work without it:
// fields marked data-suggest="hs" offer HS codes as one types, from
// GET /v1/portal/search.  The list is a listbox the keyboard drives (Down
// and Up move, Enter takes, Escape closes); a chosen entry puts its code
// in the field.  Everything else is plain HTML and forms.
"use strict";
(function () {
  const DELAY = 180;
  function attach(input) {
    const list = document.createElement("ul");
    const id = input.id + "-suggest";
    list.id = id;
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");
    input.insertAdjacentElement("afterend", list);
    let timer = 0, active = -1, items = [], asked = "";
    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function mark() {
      items.forEach((li, i) => li.setAttribute("aria-selected", i === active ? "true" : "false"));
      if (active >= 0) input.setAttribute("aria-activedescendant", items[active].id);
    }
    function take(i) {
      if (i < 0 || i >= items.length) return;
      input.value = items[i].dataset.code;
      close();
    }
    async function ask(q) {
      asked = q;
      let res;
      try {
        res = await fetch("/v1/portal/search?limit=8&q=" + encodeURIComponent(q),
          { headers: { Accept: "application/json" }, credentials: "same-origin" });
      } catch { return; }
      if (!res.ok || asked !== q) return;
      const data = await res.json();
      list.textContent = "";
      items = [];
      for (const r of data.results || []) {
        const li = document.createElement("li");
        li.id = id + "-" + items.length;
        li.setAttribute("role", "option");
        li.dataset.code = r.code;
        li.textContent = r.display + " " + r.description;
        li.addEventListener("mousedown", (ev) => { ev.preventDefault(); take(items.indexOf(li)); });
        list.appendChild(li);
        items.push(li);
      }
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(() => ask(q), DELAY);
    });
    input.addEventListener("keydown", (ev) => {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { active = Math.min(active + 1, items.length - 1); mark(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); mark(); ev.preventDefault(); }
      else if (ev.key === "Enter" && active >= 0) { take(active); ev.preventDefault(); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }
  document.addEventListener("DOMContentLoaded", () => {
    for (const el of document.querySelectorAll("input[data-suggest=hs]")) {
      el.parentElement.classList.add("suggest-host");
      attach(el);
    }
  });
})();
