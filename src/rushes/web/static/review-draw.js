// Drawing on the frame: a Draw toggle in the note composer opens a toolbar (pen, arrow, box, ellipse,
// text; a few colours; undo; clear) and lets the reviewer mark up the picture; the shapes go with the
// pinned note. During playback the same layer shows the drawings of every note whose frames are on screen.
//
// The layer is slotted into <scene-player> (slot "overlay", over its picture) rather than laid over it
// from outside: the player goes fullscreen on itself, and only its own children come along.
// Shapes are stored normalised to the picture (0..1 both ways), so the canvas is fitted to the picture
// inside the letterbox, and the same numbers draw the same marks at any size and in the exported still.
import { EVENTS, on } from './kit/events.js';
import { FPS } from './kit/timecode.js';

/** Starts drawing on notes; its shapes join the note `review` pins, drawn on the `range`'s in frame. */
export function startReviewDraw({ review, range }) {
  const root = document.getElementById('review');
  const player = document.getElementById('player');
  const text = document.getElementById('issue-text');
  if (!root || !player || !text || !review) return;
  const REFERENCE_LINES = 360;  // as rushes.domain.drawing: widths are sized against a 360-line picture
  const COLOURS = [['#ff4d4d', 'Red'], ['#ffd43b', 'Yellow'], ['#51cf66', 'Green'], ['#4dabf7', 'Blue'], ['#ffffff', 'White']];
  const TOOLS = [['pen', 'Pen'], ['arrow', 'Arrow'], ['rect', 'Box'], ['ellipse', 'Ellipse'], ['text', 'Text']];
  const MAX_SHAPES = 200;
  const MAX_PEN_POINTS = 2000;
  const state = {on: false, tool: 'arrow', color: COLOURS[0][0], width: 4, draft: [], stroke: null, notes: [], shown: ''};

  // ---- the layer inside the player ----
  const layer = document.createElement('div');
  layer.slot = 'overlay';
  layer.className = 'draw-layer';
  layer.id = 'draw-layer';
  layer.dataset.showing = '';
  const canvas = document.createElement('canvas');
  canvas.className = 'draw-canvas';
  canvas.id = 'draw-canvas';
  layer.append(canvas);
  player.append(layer);
  const ctx = canvas.getContext('2d');
  let picture = {x: 0, y: 0, w: 0, h: 0};

  // The clip's own shape (the stage is 16:9, a clip may not be): read from the player's videos.
  function aspect() {
    const videos = player.shadowRoot ? [...player.shadowRoot.querySelectorAll('video')] : [];
    const on = videos.find((v) => v.classList.contains('sp-on') && v.videoWidth) || videos.find((v) => v.videoWidth);
    return on ? on.videoWidth / on.videoHeight : 16 / 9;
  }
  function fit() {
    const W = layer.clientWidth; const H = layer.clientHeight; const a = aspect();
    if (!W || !H) return false;
    const w = W / H > a ? H * a : W; const h = W / H > a ? H : W / a;
    const next = {x: (W - w) / 2, y: (H - h) / 2, w, h};
    const dpr = window.devicePixelRatio || 1;
    Object.assign(canvas.style, {left: `${next.x}px`, top: `${next.y}px`, width: `${w}px`, height: `${h}px`});
    const bw = Math.round(w * dpr); const bh = Math.round(h * dpr);
    if (canvas.width !== bw || canvas.height !== bh) { canvas.width = bw; canvas.height = bh; }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    picture = next;
    return true;
  }

  // ---- painting (the same rules as rushes.media.marked_still) ----
  function arrowHead(a, b, stroke) {
    const length = Math.max(10, stroke * 4); const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
    ctx.beginPath();
    ctx.moveTo(b[0], b[1]);
    ctx.lineTo(b[0] - length * Math.cos(angle - 0.45), b[1] - length * Math.sin(angle - 0.45));
    ctx.lineTo(b[0] - length * Math.cos(angle + 0.45), b[1] - length * Math.sin(angle + 0.45));
    ctx.closePath(); ctx.fill();
  }
  function paintShape(shape) {
    const {w, h} = picture;
    const pts = shape.points.map(([x, y]) => [x * w, y * h]);
    const stroke = Math.max(1, shape.width * h / REFERENCE_LINES);
    ctx.strokeStyle = shape.color; ctx.fillStyle = shape.color; ctx.lineWidth = stroke;
    ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    if (shape.tool === 'text') {
      const size = Math.max(10, (12 + 3 * shape.width) * h / REFERENCE_LINES);
      ctx.font = `bold ${size}px "DejaVu Sans", system-ui, sans-serif`; ctx.textBaseline = 'top';
      ctx.lineWidth = Math.max(1, Math.round(stroke / 3)) * 2; ctx.strokeStyle = '#000';  // a dark edge, as the still has
      ctx.strokeText(shape.text, pts[0][0], pts[0][1]); ctx.fillText(shape.text, pts[0][0], pts[0][1]);
      return;
    }
    const [a, b] = pts;
    ctx.beginPath();
    if (shape.tool === 'pen') {
      if (pts.length === 1) { ctx.arc(a[0], a[1], stroke / 2, 0, Math.PI * 2); ctx.fill(); return; }
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    } else if (shape.tool === 'arrow') {
      ctx.moveTo(a[0], a[1]); ctx.lineTo(b[0], b[1]); ctx.stroke(); arrowHead(a, b, stroke); return;
    } else if (shape.tool === 'rect') {
      ctx.rect(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]));
    } else if (shape.tool === 'ellipse') {
      ctx.ellipse((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, Math.abs(b[0] - a[0]) / 2, Math.abs(b[1] - a[1]) / 2, 0, 0, Math.PI * 2);
    }
    ctx.stroke();
  }
  function paint(shapes) {
    if (!fit()) return;
    ctx.clearRect(0, 0, picture.w, picture.h);
    shapes.forEach(paintShape);
    canvas.dataset.shapes = String(shapes.length);
  }

  // ---- playback: the drawings of the notes on screen ----
  const frameOnScreen = () => Math.floor(player.currentTime * FPS + 1e-6);
  // Closed notes leave the timeline's pins, and their drawings leave the picture with them.
  const live = (i) => i.drawing && i.status !== 'resolved' && i.status !== 'wont_fix';
  function showNotes(force) {
    if (state.on) return;
    const f = frameOnScreen();
    const notes = state.notes.filter((i) => f >= i.frame && f <= (i.out_frame ?? i.frame));
    const ids = notes.map((i) => i.id).join(',');
    if (ids === state.shown && !force) return;  // repaint only when the notes on screen change
    state.shown = ids;
    layer.dataset.showing = ids;
    paint(notes.flatMap((i) => i.drawing));
  }
  on(EVENTS.ISSUES_RENDERED, (detail) => {
    const list = detail && detail.issues;
    if (!list) return;
    state.notes = list.filter(live);
    showNotes(true);
  });
  player.addEventListener('timeupdate', () => showNotes(false));
  player.addEventListener('shotchange', () => showNotes(true));
  // timeupdate comes ten times a second; while playing, each painted frame is checked so that a short
  // range is not skipped over.
  let watching = 0;
  function watch() { showNotes(false); watching = player.paused ? 0 : requestAnimationFrame(watch); }
  player.addEventListener('timeupdate', () => { if (!watching && !player.paused) watching = requestAnimationFrame(watch); });
  new ResizeObserver(() => (state.on ? paint(state.draft) : showNotes(true))).observe(layer);

  // ---- the toolbar in the composer ----
  const row = document.createElement('div');
  row.className = 'composer-row draw-row';
  row.innerHTML = `<button type="button" class="btn btn-small" id="draw-toggle" aria-pressed="false"
      title="Draw on the note's frame">Draw</button>
    <div class="draw-tools hidden" id="draw-tools" role="toolbar" aria-label="Drawing tools">
      <span class="draw-group">${TOOLS.map(([t, label]) => `<button type="button" class="draw-tool" data-tool="${t}" aria-pressed="false">${label}</button>`).join('')}</span>
      <span class="draw-group">${COLOURS.map(([c, label]) => `<button type="button" class="draw-colour" data-color="${c}" title="${label}" aria-label="${label}" aria-pressed="false" style="--swatch:${c}"></button>`).join('')}</span>
      <input type="text" id="draw-text" class="draw-text" maxlength="200" placeholder="Words for Text" aria-label="Words for the text tool">
      <span class="draw-group"><button type="button" class="btn btn-small" id="draw-undo">Undo</button>
        <button type="button" class="btn btn-small" id="draw-clear">Clear</button></span>
      <span class="muted small" id="draw-count"></span>
    </div>`;
  text.closest('.composer-row').after(row);
  const $ = (sel) => row.querySelector(sel);

  function renderTools() {
    $('#draw-toggle').setAttribute('aria-pressed', String(state.on));
    $('#draw-toggle').classList.toggle('btn-primary', state.on);
    $('#draw-tools').classList.toggle('hidden', !state.on);
    row.querySelectorAll('.draw-tool').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tool === state.tool)));
    row.querySelectorAll('.draw-colour').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.color === state.color)));
    const n = state.draft.length;
    $('#draw-count').textContent = n ? `${n} shape${n === 1 ? "" : "s"} to pin with the note` : '';
    layer.classList.toggle('drawing', state.on);
  }
  function setDrawing(on) {
    state.on = on;
    if (on) {
      player.pause();
      // Draw on the frame the note will sit on (its in frame when I was pressed), which is the still's frame.
      const at = range ? range.noteRange().frame : null;
      if (at != null && at !== frameOnScreen()) player.seek(at / FPS);
      paint(state.draft);
    } else {
      showNotes(true);
    }
    renderTools();
  }
  $('#draw-toggle').addEventListener('click', () => setDrawing(!state.on));
  row.addEventListener('click', (e) => {
    const tool = e.target.closest('.draw-tool'); const colour = e.target.closest('.draw-colour');
    if (tool) state.tool = tool.dataset.tool;
    if (colour) state.color = colour.dataset.color;
    if (tool || colour) renderTools();
  });
  $('#draw-undo').addEventListener('click', () => { state.draft.pop(); paint(state.draft); renderTools(); });
  $('#draw-clear').addEventListener('click', () => { state.draft = []; paint(state.draft); renderTools(); });

  // ---- drawing with the pointer ----
  const clamp01 = (v) => Math.round(Math.min(1, Math.max(0, v)) * 1e5) / 1e5;
  function at(e) {
    const box = canvas.getBoundingClientRect();
    return [clamp01((e.clientX - box.left) / box.width), clamp01((e.clientY - box.top) / box.height)];
  }
  canvas.addEventListener('pointerdown', (e) => {
    if (!state.on || e.button !== 0) return;
    e.preventDefault(); e.stopPropagation();
    if (state.draft.length >= MAX_SHAPES) return;
    player.pause();
    const p = at(e);
    const base = {tool: state.tool, color: state.color, width: state.width};
    if (state.tool === 'text') {
      const words = $('#draw-text').value.trim();
      if (!words) { $('#draw-text').focus(); return; }
      state.draft.push({...base, points: [p], text: words});
      paint(state.draft); renderTools();
      return;
    }
    state.stroke = {...base, points: state.tool === 'pen' ? [p] : [p, p]};
    state.draft.push(state.stroke);
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    const s = state.stroke;
    if (!s) return;
    const p = at(e);
    if (s.tool !== 'pen') s.points[1] = p;
    else {
      const last = s.points[s.points.length - 1];
      // Points closer than a fraction of a pixel add nothing but weight.
      if (s.points.length < MAX_PEN_POINTS && Math.hypot(p[0] - last[0], p[1] - last[1]) > 0.002) s.points.push(p);
    }
    paint(state.draft);
  });
  function finish() {
    const s = state.stroke;
    if (!s) return;
    state.stroke = null;
    const [a, b] = s.points;
    // A click without a drag makes no box, arrow or ellipse worth keeping.
    if (s.tool !== 'pen' && Math.hypot(b[0] - a[0], b[1] - a[1]) < 0.005) state.draft.pop();
    paint(state.draft); renderTools();
  }
  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  // The player's stage toggles play on a click; a click that drew must not start the take.
  canvas.addEventListener('click', (e) => { if (state.on) e.stopPropagation(); });

  // What the pin request carries, merged into its body as the range is.
  review.addToPin(() => (state.draft.length ? {drawing: state.draft.map((s) => ({...s, points: s.points.map((p) => [...p])}))} : {}));
  on(EVENTS.NOTE_PINNED, () => { state.draft = []; setDrawing(false); });
  renderTools();
}
