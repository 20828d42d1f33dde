// Stages 7 and 8 while locked: fields are read-only, and any attempt to edit asks to unlock first, saying what
// would go stale and what a re-render would cost (GET /api/scenes/{id}/locks/{stage}, embedded as #lock-impact).
import { EVENTS, on } from './kit/events.js';
import { api } from './kit/api.js';
import { ask, refuse } from './kit/feedback.js';
import { el } from './kit/html.js';

export function startLocks() {
  const button = document.querySelector("[data-lock-button]");
  if (!button) return;
  const sceneId = document.body.dataset.sceneId;
  const stage = Number(button.dataset.lockStage);
  const noun = button.dataset.lockButton;
  const banner = document.getElementById("lock-ask");
  let impact = null;
  try { impact = JSON.parse(document.getElementById("lock-impact")?.textContent || "null"); } catch { impact = null; }
  const locked = () => button.dataset.locked === "true";
  const credits = (n) => `${Number(n).toLocaleString("en-US")} credit${n === 1 ? "" : "s"}`;

  // The statement: what goes stale, and what re-rendering would cost, shot by shot (or element by element).
  function statement(data) {
    if (!data) return [el("p", { "data-impact-line": "", text: "Edits here make the shots downstream stale." })];
    const lines = [el("p", { "data-impact-line": "stale", text: data.stale })];
    if (stage === 7) {
      const each = data.shots.map((s) => `${s.code} ${credits(s.credits)} (frames ${s.frame_credits} + clip ${s.clip_credits})`).join(" · ");
      lines.push(el("p", { "data-impact-line": "cost", text: `Re-rendering a changed shot costs its new frames and its clip: ${each}.` }));
    } else {
      const each = data.elements.filter((e) => e.shots.length)
        .map((e) => `${e.name} → ${e.shots.join(", ")}: ${credits(e.credits)}`).join(" · ");
      if (each) lines.push(el("p", { "data-impact-line": "cost", text: `Re-rendering the shots that use an element costs: ${each}.` }));
    }
    lines.push(el("p", { "data-impact-line": "total", text: `Re-rendering every shot of the scene would cost ${credits(data.total_credits)}.` }));
    return lines;
  }

  async function setLock(on) {
    await api("POST", `/api/scenes/${sceneId}/locks`, { stage, locked: on });
    location.reload();
  }

  async function askToUnlock() {
    const yes = await ask({
      id: "unlock-dialog", title: `Stage ${stage} is locked. Unlock the ${noun}?`, lines: statement(impact),
      confirm: `Unlock ${noun}`, cancel: "Keep it locked",
    });
    if (yes) await setLock(false);
  }

  button.addEventListener("click", async (event) => {
    event.preventDefault();
    try {
      if (locked()) await askToUnlock();
      else await setLock(true);
    } catch (err) { refuse(button, err.message); }
  });
  // Locked elsewhere (another tab) while this page thought it was open: the field reverted; now ask.
  on(EVENTS.LOCKED, async () => {
    try { impact = await api("GET", `/api/scenes/${sceneId}/locks/${stage}`); } catch { /* ask anyway */ }
    button.dataset.locked = "true";
    await askToUnlock();
  });

  if (!locked() || !banner) return;
  banner.replaceChildren(
    el("strong", { text: `The ${noun} is locked: unlock it to edit.` }), ...statement(impact),
    el("button", { class: "btn", type: "button", "data-unlock": "", text: `Unlock ${noun}…` }));
  banner.hidden = false;
  banner.querySelector("[data-unlock]").addEventListener("click", () => askToUnlock().catch((err) => refuse(button, err.message)));

  // Read-only while locked; a click on a field or a structure button says why, beside it, and points at the lock.
  const area = document.querySelector("[data-locked-area]");
  if (!area) return;
  area.querySelectorAll("[data-lockable] input, [data-lockable] textarea").forEach((f) => { f.readOnly = true; });
  area.querySelectorAll("[data-lockable] select").forEach((f) => { f.disabled = true; });
  area.addEventListener("click", (event) => {
    const target = event.target.closest("[data-lockable] input, [data-lockable] textarea, [data-lockable] button");
    if (!target) return;
    if (target.matches("button")) { event.preventDefault(); event.stopImmediatePropagation(); }
    refuse(target, `stage ${stage} is locked; unlock it first`, { revert: false });
    banner.classList.remove("flash");
    void banner.offsetWidth;  // restart the animation
    banner.classList.add("flash");
  }, true);
  area.addEventListener("submit", (event) => { event.preventDefault(); event.stopImmediatePropagation(); }, true);
}
