// Starting a film: a new project, an uploaded project file (each refusal shown at its field), and the scene list.
import { api, csrfHeaders } from './kit/api.js';
import { refuse, toast } from './kit/feedback.js';

export function startFilmSetup() {
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    }
    children.forEach((c) => node.append(c));
    return node;
  };
  const said = (err) => (typeof err.detail === "string" ? err.detail
    : Array.isArray(err.detail) ? err.detail.map((d) => d.msg).join("; ") : String(err.message || err));

  // ---- New project from a title ----
  const projectForm = document.getElementById("new-project-form");
  if (projectForm) {
    projectForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = projectForm.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const project = await api("POST", "/api/projects", {
          title: projectForm.title.value, style: projectForm.style.value, logline: projectForm.logline.value });
        location.assign(`/projects/${project.id}/scenes`);
      } catch (err) {
        button.disabled = false;
        refuse(projectForm.title, said(err), { revert: false });
      }
    });
  }

  // ---- Upload a project file: the file drawn as a tree, each refusal at its field ----
  const importForm = document.getElementById("import-form");
  const result = document.getElementById("import-result");
  function tree(value, path) {
    if (Array.isArray(value)) {
      const list = el("ol", { class: "import-list", start: "0" });
      value.forEach((item, i) => list.append(el("li", { "data-path": `${path}[${i}]` }, tree(item, `${path}[${i}]`))));
      return list;
    }
    if (value && typeof value === "object") {
      const box = el("dl", { class: "import-object" });
      for (const [key, item] of Object.entries(value)) {
        const here = path ? `${path}.${key}` : key;
        box.append(el("div", { class: "import-field", "data-path": here }, el("dt", { text: key }), el("dd", {}, tree(item, here))));
      }
      return box;
    }
    return el("span", { class: "import-value", text: JSON.stringify(value) });
  }
  function place(root, refusal) {
    let path = refusal.path || "";
    let target = null;
    while (path && !(target = root.querySelector(`[data-path="${CSS.escape(path)}"]`))) {
      path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "");  // the field is missing: show it at its parent
      if (!/[.[]/.test(path) && !root.querySelector(`[data-path="${CSS.escape(path)}"]`)) { target = null; break; }
    }
    const note = el("p", { class: "field-refusal", role: "alert", "data-refusal-path": refusal.path || "",
                            text: refusal.path && path !== refusal.path ? `${refusal.path}: ${refusal.message}` : refusal.message });
    (target || root).classList.add("refused");
    if (target) target.append(note); else root.prepend(note);
  }
  if (importForm) {
    importForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const file = importForm.file.files[0];
      if (!file) return;
      const button = importForm.querySelector("button[type=submit]");
      button.disabled = true;
      result.replaceChildren();
      const body = new FormData();
      body.append("file", file);
      try {
        const res = await fetch("/api/projects/import", { method: "POST", body, credentials: "same-origin",
                                                          headers: { Accept: "application/json", ...csrfHeaders("POST") } });
        const data = await res.json().catch(() => ({}));
        if (res.ok) { location.assign(`/projects/${data.id}`); return; }
        const refusals = data.refusals || [{ path: "", message: said({ detail: data.detail }) }];
        const root = el("div", { class: "import-tree", id: "import-tree" });
        let parsed;
        try { parsed = JSON.parse(await file.text()); } catch { parsed = undefined; }
        if (parsed !== undefined) root.append(tree(parsed, ""));
        result.append(el("p", { class: "notice notice-error", id: "import-refused",
                                text: `${refusals.length} refusal${refusals.length === 1 ? "" : "s"}: nothing was written. Fix the file and upload it again.` }), root);
        refusals.forEach((r) => place(root, r));
        const first = root.querySelector(".field-refusal");
        if (first) first.scrollIntoView({ block: "center" });
      } catch (err) {
        result.append(el("p", { class: "notice notice-error", text: said(err) }));
      } finally {
        button.disabled = false;
      }
    });
  }

  // ---- Scenes: add, rename, reorder ----
  const manager = document.getElementById("scene-manager");
  if (manager) {
    const projectId = manager.dataset.projectId;
    const addForm = document.getElementById("add-scene-form");
    if (addForm) {
      addForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await api("POST", `/api/projects/${projectId}/scenes`, { title: addForm.title.value });
          location.reload();
        } catch (err) { refuse(addForm.title, said(err), { revert: false }); }
      });
    }
    manager.querySelectorAll("[data-rename]").forEach((input) => {
      input.dataset.saved = input.value;
      input.addEventListener("change", async () => {
        try {
          const scene = await api("PATCH", `/api/scenes/${input.dataset.rename}`, { title: input.value });
          input.value = input.dataset.saved = scene.title;
          toast(`Scene ${scene.number} is now "${scene.title}"`, "ok", 2500);
        } catch (err) { refuse(input, said(err)); input.value = input.dataset.saved; }
      });
    });
    manager.addEventListener("click", async (event) => {
      const button = event.target.closest("[data-move]");
      if (!button) return;
      const items = [...manager.querySelectorAll(".scene-item")];
      const i = items.indexOf(button.closest(".scene-item"));
      const j = button.dataset.move === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= items.length) return;
      const ids = items.map((item) => Number(item.dataset.sceneId));
      [ids[i], ids[j]] = [ids[j], ids[i]];
      try {
        await api("PUT", `/api/projects/${projectId}/scenes/order`, { scene_ids: ids });
        location.reload();
      } catch (err) { refuse(button, said(err)); }
    });
  }
}
