/*
 * The screening room (/projects/{id}/screening): the whole film in one <scene-player>, its scenes as
 * chapters above the shots and as a list beside the player, and notes pinned on the scene, take, shot and
 * frame under the playhead through the scene's own note API.
 */
import { api } from './kit/api.js';
import { toast } from './kit/feedback.js';
import { FPS, timecode } from './kit/timecode.js';

export function startScreening() {
  const root = document.getElementById('screening');
  const player = document.getElementById('film-player');
  if (!root || !player) return;
  const data = JSON.parse(document.getElementById('film-data').textContent);
  const scenes = data.cut.scenes;
  const shots = scenes.flatMap((s) => s.shots);
  const list = document.getElementById('film-scenes');
  const rows = list ? [...list.querySelectorAll('.film-scene')] : [];
  const say = (text, kind) => toast(text, kind);

  player.shots = shots;
  player.chapters = scenes.map((s) => ({ id: s.scene_id, title: `${s.number} · ${s.title}`, start: s.start, duration: s.duration }));
  player.pins = data.pins;

  /** The scene at film time t (scenes are in order: binary search). */
  function sceneAt(t) {
    let lo = 0;
    let hi = scenes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (scenes[mid].start <= t + 1e-6) lo = mid; else hi = mid - 1;
    }
    return scenes[lo];
  }

  function shotIn(scene, t) {
    return scene.shots.find((s) => t >= s.start - 1e-6 && t < s.start + s.duration - 1e-6) || scene.shots[scene.shots.length - 1];
  }

  // ---- the scene list follows the playhead; a click plays from that scene ----
  let current = -1;
  player.addEventListener('chapterchange', (e) => {
    const index = e.detail.index;
    if (index === current) return;
    if (rows[current]) { rows[current].classList.remove('current'); rows[current].removeAttribute('aria-current'); }
    current = index;
    const row = rows[index];
    if (!row) return;
    row.classList.add('current');
    row.setAttribute('aria-current', 'true');
    const box = list.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    if (r.top < box.top || r.bottom > box.bottom) row.scrollIntoView({ block: 'nearest' });
  });
  const jump = (row) => player.seek(scenes[Number(row.dataset.index)].start).then(() => player.focus());
  if (list) {
    list.addEventListener('click', (e) => {
      const row = e.target.closest('.film-scene');
      if (row && !e.target.closest('a')) jump(row);
    });
    list.addEventListener('keydown', (e) => {
      const row = e.target.closest('.film-scene');
      if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); jump(row); }
    });
  }
  player.addEventListener('pinclick', (e) => player.seek(e.detail.time));

  // ---- notes: on the scene, take, shot and frame under the playhead ----
  const text = document.getElementById('film-note-text');
  const where = document.getElementById('film-pin-at');
  const error = document.getElementById('film-note-error');
  function target() {
    const t = player.currentTime;
    const scene = sceneAt(t);
    const frames = Math.max(1, Math.round(scene.duration * FPS));
    const frame = Math.min(frames - 1, Math.max(0, Math.floor((t - scene.start) * FPS + 1e-6)));
    return { scene, frame, shot: shotIn(scene, t) };
  }
  let shown = '';
  function showWhere() {
    if (!where) return;
    const { scene, frame, shot } = target();
    const label = scene.take ? `Scene ${scene.number} · ${shot.code} · ${timecode(frame / FPS)} (take ${scene.take.number})`
      : `Scene ${scene.number} · slate (no take to note on)`;
    if (label !== shown) { where.textContent = label; shown = label; }
  }
  player.addEventListener('timeupdate', showWhere);
  player.addEventListener('shotchange', showWhere);
  player.ready.then(showWhere);

  async function pin() {
    const description = text.value.trim();
    error.textContent = '';
    if (!description) { error.textContent = 'Describe what you see first.'; text.focus(); return; }
    const { scene, frame, shot } = target();
    if (!scene.take || !shot.shot_id) {
      error.textContent = `Scene ${scene.number} has no take in this film: there is no frame to pin a note on.`;
      return;
    }
    const category = document.getElementById('film-note-category').value;
    try {
      const note = await api('POST', `/api/scenes/${scene.scene_id}/issues`, {
        scene_time: frame / FPS, frame, category, description, take_id: scene.take.id, shot_id: shot.shot_id,
      });
      const time = scene.start + frame / FPS;
      player.pins = [...player.pins, { id: note.id, time, end: time, label: `Scene ${scene.number} · ${description}`, category }];
      text.value = '';
      say(`Note pinned on scene ${scene.number}, ${note.shot_code || shot.code} at ${note.timecode}`, 'ok');
      root.dispatchEvent(new CustomEvent('filmnote', { detail: note }));
    } catch (err) {
      error.textContent = err.detail && typeof err.detail === 'string' ? err.detail : (err.message || String(err));
    }
  }
  const pinButton = document.getElementById('film-pin');
  if (pinButton) pinButton.addEventListener('click', pin);
  if (text) {
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) { e.preventDefault(); pin(); }
      if (e.key === 'Escape') { text.blur(); player.focus(); }
    });
  }
  document.addEventListener('keydown', (e) => {
    if (!text || e.key.toLowerCase() !== 'n' || e.metaKey || e.ctrlKey || e.altKey) return;
    if (e.target.closest && e.target.closest('input, textarea, select')) return;
    e.preventDefault();
    player.pause();
    text.focus();
  });

  // ---- the film as one MP4: queued, then polled until the worker has built it ----
  const mp4 = root.querySelector('.film-mp4');
  if (mp4) {
    const state = root.querySelector('.film-mp4-state');
    const bar = state.querySelector('progress');
    const line = state.querySelector('.film-mp4-text');
    const link = state.querySelector('.film-mp4-link');
    const url = `/api/projects/${root.dataset.projectId}/export/mp4?prefer=${root.dataset.prefer}`;
    const show = (view) => {
      state.classList.remove('hidden');
      bar.value = view.progress || 0;
      line.textContent = view.status === 'done' ? 'Ready' : view.status === 'failed' ? `Failed: ${view.error}` : `${view.status} · ${Math.round((view.progress || 0) * 100)} %`;
      link.classList.toggle('hidden', view.status !== 'done');
      return view;
    };
    mp4.addEventListener('click', async () => {
      mp4.disabled = true;
      try {
        let view = show(await api('POST', url));
        while (view.status === 'queued' || view.status === 'running') {
          await new Promise((r) => setTimeout(r, 1000));
          view = show(await api('POST', url));
        }
      } catch (err) {
        line.textContent = err.message || String(err);
      } finally {
        mp4.disabled = false;
      }
    });
  }
  return { sceneAt, scenes, player };
}
