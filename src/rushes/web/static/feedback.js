// Feedback in place, shared by every page: in-page questions instead of confirm()/alert(), refused values
// that snap back to what is stored with the reason beside the field, and the keyboard (Space, the "?" sheet).
(() => {
  "use strict";
  const R = (window.Rushes = window.Rushes || {});

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children.flat(Infinity)) if (child != null) node.append(child);
    return node;
  }

  // ---- Questions: one <dialog>, a promise of the answer. `lines` are plain strings or nodes. ----
  function ask({ title, lines = [], confirm = "OK", cancel = "Cancel", danger = false, id = "ask-dialog" }) {
    document.getElementById(id)?.remove();
    const yes = el("button", { class: `btn ${danger ? "btn-danger" : "btn-primary"}`, type: "button", "data-answer": "yes", text: confirm });
    const no = el("button", { class: "btn", type: "button", "data-answer": "no", text: cancel });
    const dialog = el("dialog", { class: "ask", id, "aria-labelledby": `${id}-title` },
      el("h2", { id: `${id}-title`, text: title }),
      ...lines.map((line) => (typeof line === "string" ? el("p", { text: line }) : line)),
      el("div", { class: "ask-buttons" }, no, yes));
    document.body.append(dialog);
    return new Promise((resolve) => {
      const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
      yes.addEventListener("click", () => done(true));
      no.addEventListener("click", () => done(false));
      dialog.addEventListener("cancel", (e) => { e.preventDefault(); done(false); });
      dialog.showModal();
      yes.focus();
    });
  }

  // ---- Refusals: the field shows the stored value again and the reason sits right beside it. ----
  function stored(input) {
    if (input.type === "checkbox") return input.dataset.stored !== undefined ? input.dataset.stored === "true" : input.defaultChecked;
    return input.dataset.stored !== undefined ? input.dataset.stored : input.defaultValue;
  }

  function remember(input, value = input.type === "checkbox" ? input.checked : input.value) {
    input.dataset.stored = String(value);
    if (input.type !== "checkbox" && input.value !== String(value)) input.value = String(value);
  }

  function slotFor(scope) {
    if (scope.matches(".field-error")) return scope;
    let slot = scope.querySelector(".field-error");
    if (!slot) { slot = el("span", { class: "field-error", role: "alert" }); scope.append(slot); }
    return slot;
  }

  // `what` is an input/textarea/select (its value reverts) or any element (the reason goes in its scope).
  function refuse(what, reason, { revert = true } = {}) {
    const isInput = what && what.matches && what.matches("input, textarea, select");
    const control = isInput || (what.matches && what.matches("button"));
    const scope = (isInput && what.closest(".field")) || what.closest?.("[data-refusal-scope]") || (control ? what.parentElement : what);
    if (isInput && revert) {
      if (what.type === "checkbox") what.checked = stored(what);
      else if (what.type !== "file") what.value = stored(what);
      else what.value = "";
      what.setAttribute("aria-invalid", "true");
    }
    const slot = slotFor(scope);
    slot.textContent = reason;
    slot.hidden = false;
    slot.classList.add("refusal");
    return slot;
  }

  function clearRefusal(scope) {
    scope.querySelectorAll(".field-error").forEach((e) => { e.hidden = true; e.textContent = ""; });
    scope.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  }

  // ---- Keyboard: Space plays/pauses the page's player from anywhere outside a text field; "?" lists every key. ----
  const SHORTCUTS = [];
  function shortcuts(group, keys) { SHORTCUTS.push({ group, keys }); }
  const typing = (t) => t && (t.isContentEditable || (t.matches && t.matches("input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select")));

  shortcuts("Anywhere", [["?", "Show this sheet of shortcuts"], ["Esc", "Close a sheet or question"]]);
  if (document.querySelector("scene-player")) {
    shortcuts("Player (Space works anywhere outside a text field)", [
      ["Space", "Play / pause"], ["J / K / L", "Shuttle back / stop / forward"], [", / .  or ← / →", "One frame back / forward"],
      ["↑ / ↓  or [ / ]", "Previous / next shot"], ["Home / End", "Start / end of the scene"],
      ["/", "Loop the current shot"], ["M", "Mute"], ["F", "Full screen"],
    ]);
  }

  function showShortcuts() {
    const existing = document.getElementById("shortcut-sheet");
    if (existing) { existing.close(); existing.remove(); return; }
    const list = SHORTCUTS.map(({ group, keys }) => el("section", {},
      el("h3", { text: group }),
      el("dl", {}, keys.map(([k, what]) => [el("dt", {}, el("kbd", { text: k })), el("dd", { text: what })]))));
    const close = el("button", { class: "btn", type: "button", text: "Close" });
    const sheet = el("dialog", { class: "ask shortcut-sheet", id: "shortcut-sheet", "aria-label": "Keyboard shortcuts" },
      el("h2", { text: "Keyboard shortcuts" }), ...list, el("div", { class: "ask-buttons" }, close));
    document.body.append(sheet);
    close.addEventListener("click", () => { sheet.close(); sheet.remove(); });
    sheet.addEventListener("close", () => sheet.remove());
    sheet.showModal();
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === "?") { e.preventDefault(); showShortcuts(); return; }
    if (e.key === " " && !document.querySelector("dialog[open]")) {
      const player = document.querySelector("scene-player");
      // The player handles its own keys when it has focus; elsewhere Space would scroll or press a button.
      if (!player || player.contains(e.target) || e.composedPath().includes(player)) return;
      e.preventDefault();
      if (player.paused) player.play(); else player.pause();
    }
  });

  // What the signed-in member (or guest) may do, as the server wrote it (body data-can, rushes.web.abilities):
  // scripts that draw buttons ask this, so they never offer what the API would refuse.
  const can = (ability) => (document.body.dataset.can || "").split(" ").includes(ability);

  Object.assign(R, { ask, refuse, remember, clearRefusal, shortcuts, showShortcuts, el, can });
})();
