// Rushes pages: small vanilla JS over the JSON API. Pages render fully on the server; this adds in-place edits
// (the stage pages' fields, generic data-api buttons, the workflow rail). Loaded on every page by pages/common.js.
import { api, ApiError, message } from "./kit/api.js";
import { ask, clearRefusal as clearErrors, refuse, remember, showError, toast } from "./kit/feedback.js";

let takeOrder = null;
/** Stage 11: the page's order for a take (model, resolution, sound, ticked shots: stage11-order.js) is asked for on Confirm. */
export function orderTakeWith(order) { takeOrder = order; }

// A shot's render state in words; a job waiting for the provider's quota says when it goes.
export function shotStateLabel(s) {
  if (s.quota) return `queued for quota · ~${Math.max(1, Math.round(s.quota.eta_seconds))} s`;
  return `${s.state}${s.attempt > 1 ? ` · attempt ${s.attempt}` : ''}`;
}

/** Redraws the workflow rail (and the page's lock header) from the server: an edit can make stages stale. */
export async function refreshRail() {
  const rail = document.getElementById("workflow-rail");
  const sceneId = document.body.dataset.sceneId;
  if (!rail || !sceneId) return;
  const data = await api("GET", `/api/scenes/${sceneId}/rail`);
  drawRail(rail, data);
}

function drawRail(rail, data) {
  for (const item of data.stages) {
    const step = rail.querySelector(`[data-stage="${item.stage}"]`);
    if (!step) continue;
    step.dataset.state = item.state;
    step.className = step.className.replace(/rail-(fresh|stale|locked|not_started)/, `rail-${item.state}`);
    step.title = item.detail;
    step.querySelector(".rail-state").textContent = item.state_label;
    const issues = step.querySelector(".rail-issues");
    issues.textContent = item.issues;
    issues.dataset.issues = item.issues;
    issues.hidden = !item.issues;
    issues.classList.toggle("hidden", !item.issues);
  }
  const status = rail.querySelector("[data-status]");
  if (status) { status.dataset.status = data.status; status.textContent = data.status; }
  // An edit lifts a lock by itself (the digest no longer matches); say so in the page header too.
  const lock = document.querySelector("[data-lock-stage]");
  const stage = lock && data.stages.find((s) => String(s.stage) === lock.dataset.lockStage);
  if (stage) {
    const locked = stage.state === "locked";
    lock.textContent = locked ? "Locked" : "Unlocked";
    lock.classList.toggle("is-locked", locked);
    const button = document.querySelector("[data-lock-button]");
    if (button) {
      button.dataset.locked = String(locked);
      button.textContent = `${locked ? "Unlock" : "Lock"} ${button.dataset.lockButton}`;
    }
  }
}

(() => {
  const body = document.body;
  const sceneId = body.dataset.sceneId;

  function reloadKeepingScroll() {
    sessionStorage.setItem("rushes-scroll", JSON.stringify({ path: location.pathname, y: window.scrollY }));
    location.reload();
  }
  try {
    const saved = JSON.parse(sessionStorage.getItem("rushes-scroll") || "null");
    sessionStorage.removeItem("rushes-scroll");
    if (saved && saved.path === location.pathname) window.scrollTo(0, saved.y);
  } catch { /* a bad stored value only loses the scroll position */ }

  const PILL = { fresh: "ok", stale: "warn", missing: "muted" };
  function pill(state, label, reasons, artifact) {
    const el = document.createElement("span");
    el.className = `pill pill-${PILL[state] || "muted"}`;
    el.dataset.state = state;
    if (artifact) el.dataset.artifact = artifact;
    if (reasons && reasons.length) el.dataset.reasons = reasons.join("; ");
    el.textContent = label;
    return el;
  }

  function renderDownstream(card, shot) {
    const box = card.querySelector("[data-downstream]");
    if (!box || !shot) return;
    box.replaceChildren(
      pill(shot.prompt.state, `Prompt ${shot.prompt.state}`, shot.prompt.reasons, "prompt"),
      pill(shot.start_frame.state, `Start ${shot.start_frame.state}`, shot.start_frame.reasons, "start"),
      ...(shot.end_frame ? [pill(shot.end_frame.state, `End ${shot.end_frame.state}`, shot.end_frame.reasons, "end")] : []),
      pill(shot.clip.state, `Clip ${shot.clip.state}`, shot.clip.reasons, "clip"),
    );
    const version = card.querySelector(".version-label");
    if (version) version.textContent = `v${shot.version}`;
    card.dataset.version = shot.version;
    card.dataset.code = shot.code;
  }

  // Generic action buttons: data-api="METHOD /url", optional data-body (JSON), data-confirm, data-then="reload".
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-api]");
    if (!button || button.disabled) return;
    event.preventDefault();
    if (button.dataset.confirm && !(await ask({ title: button.dataset.confirm, confirm: button.textContent.trim() || "OK", danger: button.classList.contains("danger") }))) return;
    const [method, url] = button.dataset.api.split(" ");
    const scope = button.closest("[data-shot-id], [data-element-id], .panel, main");
    button.disabled = true;
    try {
      await api(method, url, button.dataset.body ? JSON.parse(button.dataset.body) : undefined);
      if (button.dataset.then === "reload") return reloadKeepingScroll();
      toast("Saved", "ok", 2000);
    } catch (err) {
      showError(scope, err, null);
    }
    button.disabled = false;
  });

  // ---- Stage 7: shot list ----
  const shotList = document.getElementById("shot-list");
  if (shotList) {
    shotList.addEventListener("change", async (event) => {
      const input = event.target.closest("input, textarea");
      const card = event.target.closest(".shot-card");
      if (!input || !card || !input.name) return;
      if (input.name === "duration") snapDuration(input, true);
      const value = input.name === "duration" ? (input.value === "" ? null : Number(input.value)) : input.value;
      clearErrors(input.closest(".field") || card);
      input.classList.add("saving");
      try {
        const data = await api("PATCH", `/api/shots/${card.dataset.shotId}`, { [input.name]: value });
        const saved = data.version[input.name];
        remember(input, Array.isArray(saved) ? saved.join(", ") : input.name === "duration" ? String(saved) : saved);
        renderDownstream(card, data.shot);
        input.classList.replace("saving", "saved");
        setTimeout(() => input.classList.remove("saved"), 900);
        await refreshRail();
      } catch (err) {
        showError(card, err, input);
      } finally {
        input.classList.remove("saving");
      }
    });
    shotList.addEventListener("click", async (event) => {
      const move = event.target.closest("[data-move]");
      if (!move) return;
      const ids = [...shotList.querySelectorAll(".shot-card")].map((c) => Number(c.dataset.shotId));
      const id = Number(move.closest(".shot-card").dataset.shotId);
      const from = ids.indexOf(id);
      const to = from + Number(move.dataset.move);
      if (to < 0 || to >= ids.length) return;
      [ids[from], ids[to]] = [ids[to], ids[from]];
      try {
        await api("POST", `/api/scenes/${sceneId}/shots/order`, { shot_ids: ids });
        reloadKeepingScroll();
      } catch (err) { showError(move.closest(".shot-card"), err); }
    });
  }

  // Durations are whole frames of the render: the typed value is snapped (and said so) as it is typed.
  function snapDuration(input, commit = false) {
    const fps = Number(document.body.dataset.fps || input.dataset.fps || 24);
    const hint = input.closest(".field")?.querySelector("[data-frames]");
    const seconds = Number(input.value);
    if (input.value === "" || !Number.isFinite(seconds) || seconds <= 0) { if (hint) hint.textContent = ""; return; }
    const frames = Math.max(1, Math.round(seconds * fps));
    const snapped = Math.round((frames / fps) * 1000) / 1000;
    if (hint) hint.textContent = `${frames} fr${Math.abs(snapped - seconds) > 1e-9 ? ` → ${snapped} s` : ""}`;
    if (commit && Math.abs(snapped - seconds) > 1e-9) input.value = String(snapped);
  }
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (input.matches && input.matches("input[name=duration]")) snapDuration(input);
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches("form input[name=duration]")) snapDuration(event.target, true);
  }, true);
  document.querySelectorAll("input[name=duration]").forEach((input) => snapDuration(input));

  function formValues(form) {
    const values = {};
    for (const [key, value] of new FormData(form).entries()) {
      if (value === "") continue;
      values[key] = key === "duration" ? Number(value) : key === "after_shot_id" ? Number(value) : value;
    }
    return values;
  }

  const addShot = document.getElementById("add-shot");
  if (addShot) {
    addShot.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(addShot);
      try {
        await api("POST", `/api/scenes/${sceneId}/shots`, formValues(addShot));
        reloadKeepingScroll();
      } catch (err) { showError(addShot, err, null, { revert: false }); }
    });
  }

  // ---- Stage 8: visual definition ----
  document.querySelectorAll(".element-row textarea[name=description]").forEach((area) => {
    area.addEventListener("change", async () => {
      const row = area.closest(".element-row");
      clearErrors(row);
      try {
        const saved = await api("PATCH", `/api/visual-elements/${row.dataset.elementId}`, { description: area.value });
        remember(area, saved.description);
        area.classList.add("saved");
        setTimeout(() => area.classList.remove("saved"), 900);
        await refreshRail();
      } catch (err) { showError(row, err, area); }
    });
  });
  const addElement = document.getElementById("add-element");
  if (addElement) {
    addElement.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(addElement);
      try {
        await api("POST", `/api/scenes/${sceneId}/visual-states`, formValues(addElement));
        reloadKeepingScroll();
      } catch (err) { showError(addElement, err, null, { revert: false }); }
    });
  }

  // ---- Stage 9: prompts ----
  document.querySelectorAll(".prompt-card").forEach((card) => {
    const shotId = card.dataset.shotId;
    const save = card.querySelector("[data-save-override]");
    if (save) save.addEventListener("click", async () => {
      clearErrors(card);
      try {
        await api("PATCH", `/api/shots/${shotId}/prompt`, { video_prompt: card.querySelector("textarea[name=video_prompt]").value });
        reloadKeepingScroll();
      } catch (err) { showError(card, err, card.querySelector("textarea[name=video_prompt]")); }
    });
    const toggle = card.querySelector("[data-start-only]");
    if (toggle) toggle.addEventListener("change", async () => {
      try {
        await api("PATCH", `/api/shots/${shotId}/prompt`, { start_frame_only: toggle.checked });
        reloadKeepingScroll();
      } catch (err) { showError(card, err, toggle); }
    });
  });

  // ---- Stage 10: frames ----
  const DONE = new Set(["succeeded", "failed", "cancelled"]);
  async function watchJob(row, jobId) {
    const box = row.querySelector("[data-job]");
    const label = box.querySelector(".job-label");
    box.hidden = false;
    box.classList.add("running");
    row.querySelectorAll("[data-regen]").forEach((b) => { b.disabled = true; });
    row.dataset.activeJob = jobId;
    for (;;) {
      let job;
      try {
        job = await api("GET", `/api/jobs/${jobId}`);
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) throw err;
        job = (await api("GET", `/api/shots/${row.dataset.shotId}/frames/job`)).job;
      }
      label.textContent = job.state === "queued" ? "Queued on the worker…" : job.state === "succeeded" ? "Done" : `Generating (${job.state})…`;
      if (DONE.has(job.state)) {
        box.classList.remove("running");
        if (job.state === "succeeded") return reloadKeepingScroll();
        label.textContent = `Frame generation ${job.state}: ${job.error || "no reason given"} (refunded)`;
        label.classList.add("danger-text");
        row.querySelectorAll("[data-regen]").forEach((b) => { b.disabled = false; });
        delete row.dataset.activeJob;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  }

  document.querySelectorAll(".frame-row").forEach((row) => {
    const shotId = row.dataset.shotId;
    row.querySelectorAll("[data-regen]").forEach((button) => button.addEventListener("click", async () => {
      clearErrors(row);
      try {
        const data = await api("POST", `/api/shots/${shotId}/frames`, { kinds: button.dataset.regen.split(",") });
        toast(`Generating ${button.dataset.regen.replace(",", " and ")} frame for ${row.dataset.code}`, "info", 2500);
        await watchJob(row, data.job_id);
      } catch (err) { showError(row, err); }
    }));
    row.querySelectorAll("[data-upload]").forEach((input) => input.addEventListener("change", async () => {
      if (!input.files.length) return;
      const form = new FormData();
      form.append("kind", input.dataset.upload);
      form.append("file", input.files[0]);
      clearErrors(row);
      try {
        await api("POST", `/api/shots/${shotId}/frames/upload`, form);
        reloadKeepingScroll();
      } catch (err) {
        const slot = input.closest("[data-frame]");
        refuse(input, `${input.dataset.upload === "end" ? "End" : "Start"} frame upload refused: ${message(err)}`);
        slot?.scrollIntoView({ block: "nearest" });
      }
    }));
    if (row.dataset.activeJob) watchJob(row, row.dataset.activeJob).catch((err) => showError(row, err));
  });

  // ---- Stage 11: Confirm & Render (the form posts without JS; with JS the same key goes in the header) ----
  const confirmForm = document.getElementById("confirm-form");
  if (confirmForm) {
    confirmForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = confirmForm.querySelector("button[type=submit]");
      const key = confirmForm.querySelector("input[name=idempotency_key]").value;
      button.disabled = true;
      button.textContent = "Starting take…";
      try {
        // The order chosen on the page (model, resolution, sound, ticked shots: stage11-order.js), if any.
        const order = takeOrder ? takeOrder() : undefined;
        const take = await api("POST", `/api/scenes/${confirmForm.dataset.sceneId}/takes`, order, { "Idempotency-Key": key });
        location.assign(`/scenes/${confirmForm.dataset.sceneId}/review?take=${take.id || take.take_id || ""}`);
      } catch (err) {
        button.disabled = false;
        button.textContent = "Confirm & Render";
        refuse(button, message(err));
      }
    });
  }

})();
