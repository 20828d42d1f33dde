// The compare viewer: any two versions of a shot from its version stack, by wipe, side by side or
// difference, frame-locked, each led in by the tail of the previous shot in the cut, because a
// re-render is judged by how it cuts, not in isolation. review.js only calls its handle's open().
import { api } from './kit/api.js';
import { FPS, FRAME, secondsFrames } from './kit/timecode.js';

export function startReviewCompare() {
  const LEAD_IN = 2;              // seconds of the previous shot played before each version
  const MODES = [['wipe', 'Wipe'], ['side', 'Side by side'], ['difference', 'Difference']];

  function make(tag, props = {}, kids = []) {
    const node = Object.assign(document.createElement(tag), props);
    kids.forEach((k) => node.append(k));
    return node;
  }

  // One side of the comparison. It owns two pictures: the lead-in (the previous shot's clip, shown
  // while the clock is negative) and the version itself; swapping visibility rather than src keeps
  // the hand-off free of a reload.
  class Reel {
    constructor(side) {
      this.side = side;
      this.lead = make('video', {className: 'cmp-lead', playsInline: true, preload: 'auto'});
      this.body = make('video', {className: 'cmp-body', playsInline: true, preload: 'auto'});
      this.lead.id = `cmp-${side}-lead`; this.body.id = `cmp-${side}`;
      this.label = make('span', {className: 'cmp-tag'});
      this.root = make('div', {className: `cmp-reel cmp-reel-${side}`}, [this.lead, this.body, this.label]);
      this.root.dataset.side = side;
    }
    videos() { return [this.lead, this.body]; }
    // The picture that carries the clock at scene-relative time t (t < 0 is the lead-in).
    active(t) { return t < 0 ? this.lead : this.body; }
    show(t) { this.root.dataset.phase = t < 0 ? 'lead' : 'body'; }
    place(t, leadLength) {
      this.show(t);
      if (t < 0) { this.lead.currentTime = Math.max(0, leadLength + t); this.body.currentTime = 0; }
      else this.body.currentTime = t;
    }
    pause() { this.videos().forEach((v) => v.pause()); }
  }

  const reels = {a: new Reel('a'), b: new Reel('b')};
  const state = {stack: [], lead: null, leadLength: 0, pre: 0, length: 8, time: 0, playing: false, heard: 'a',
                 mode: 'wipe', wipe: 50, holding: false, resyncs: 0, settleUntil: 0};

  // ---- the dialog, built here so review.html carries no markup for it ----
  const pickA = make('select', {id: 'cmp-pick-a', className: 'cmp-pick'});
  const pickB = make('select', {id: 'cmp-pick-b', className: 'cmp-pick'});
  pickA.setAttribute('aria-label', 'Version A'); pickB.setAttribute('aria-label', 'Version B');
  const modeBar = make('div', {className: 'cmp-modes', role: 'group'});
  modeBar.setAttribute('aria-label', 'Compare by');
  MODES.forEach(([mode, text]) => {
    const btn = make('button', {type: 'button', className: 'btn btn-small', textContent: text});
    btn.dataset.mode = mode; modeBar.append(btn);
  });
  const hearBar = make('div', {className: 'cmp-hear', role: 'group'});
  hearBar.setAttribute('aria-label', 'Heard side');
  ['a', 'b'].forEach((side) => {
    const btn = make('button', {type: 'button', className: 'btn btn-small', textContent: `Hear ${side.toUpperCase()}`});
    btn.dataset.hear = side; btn.id = `cmp-hear-${side}`; hearBar.append(btn);
  });
  const divider = make('div', {id: 'cmp-divider', className: 'cmp-divider', tabIndex: 0, role: 'slider'});
  divider.setAttribute('aria-label', 'Wipe position');
  divider.setAttribute('aria-valuemin', '0'); divider.setAttribute('aria-valuemax', '100');
  const stage = make('div', {id: 'cmp-stage', className: 'cmp-stage'}, [reels.b.root, reels.a.root, divider]);
  const playBtn = make('button', {type: 'button', id: 'cmp-play', className: 'btn btn-small', textContent: 'Play'});
  const scrub = make('input', {type: 'range', id: 'cmp-scrub', className: 'cmp-scrub', step: String(FRAME)});
  scrub.setAttribute('aria-label', 'Scrub both versions');
  const clock = make('span', {id: 'cmp-clock', className: 'cmp-clock mono'});
  const title = make('strong', {id: 'cmp-title'});
  const closeBtn = make('button', {type: 'button', id: 'cmp-close', className: 'btn btn-small', textContent: 'Close'});
  const note = make('p', {id: 'cmp-note', className: 'cmp-note muted small'});
  const dialog = make('dialog', {id: 'compare-dialog', className: 'cmp-dialog'}, [
    make('div', {className: 'cmp-head'}, [title, make('label', {className: 'cmp-side'}, ['A ', pickA]),
      make('label', {className: 'cmp-side'}, ['B ', pickB]), make('span', {className: 'spacer'}), modeBar, hearBar, closeBtn]),
    stage,
    make('div', {className: 'cmp-transport'}, [playBtn, scrub, clock]),
    note,
  ]);
  dialog.setAttribute('aria-label', 'Compare versions');
  document.body.append(dialog);

  // ---- the master clock: A's active picture; B follows it ----
  const master = () => reels.a.active(state.time);
  const follower = () => reels.b.active(state.time);

  function showClock() {
    const t = state.time;
    const frame = Math.round(Math.abs(t) * FPS);
    clock.textContent = `${t < 0 ? 'lead-in −' : ''}${secondsFrames(frame)}`;
    scrub.value = String(t);
  }

  function seek(t) {
    state.time = Math.min(state.length, Math.max(-state.pre, t));
    Object.values(reels).forEach((r) => r.place(state.time, state.leadLength));
    showClock();
  }

  function pause() {
    state.playing = false;
    Object.values(reels).forEach((r) => { r.pause(); r.videos().forEach((v) => { v.playbackRate = 1; }); });
    // Paused, the two sides must show the same frame: put B exactly where A stopped.
    const now = master().currentTime;
    state.time = state.time < 0 ? now - state.leadLength : now;
    seek(state.time);
    playBtn.textContent = 'Play';
  }

  function play() {
    if (state.time >= state.length - FRAME) seek(-state.pre);
    state.playing = true;
    playBtn.textContent = 'Pause';
    [master(), follower()].forEach((v) => v.play().catch(() => {}));
    requestAnimationFrame(tick);
  }

  // Each display frame: read the time from A, hand both sides from lead-in to version together, and
  // pull B back onto A when it drifts by more than half a frame (so they never show different frames).
  function tick() {
    if (!state.playing || !dialog.open) return;
    const lead = state.time < 0;
    const now = master().currentTime;
    state.time = lead ? now - state.leadLength : now;
    if (lead && (reels.a.lead.ended || state.time >= -FRAME / 2)) {
      state.time = 0;
      Object.values(reels).forEach((r) => { r.lead.pause(); r.place(0, state.leadLength); r.body.play().catch(() => {}); });
    } else if (!lead && (reels.a.body.ended || state.time >= state.length)) {
      pause(); seek(state.length); return;
    } else if (!state.holding) {
      follow(now);
    }
    showClock();
    requestAnimationFrame(tick);
  }

  // B past half a frame off A is pulled back: a small drift by leaning on B's playback rate (no
  // stall, so playback stays smooth on a busy machine), a large one (or one that persists past the
  // settling time after a hold) by holding both and restarting them on one frame.
  function follow(now) {
    const b = follower();
    const drift = b.currentTime - now;  // positive: B is ahead
    if (Math.abs(drift) > 3 * FRAME && performance.now() > state.settleUntil) resync();
    else if (Math.abs(drift) > FRAME / 2) b.playbackRate = 1 - Math.max(-0.25, Math.min(0.25, drift * 2));
    else if (Math.abs(drift) < FRAME / 4) b.playbackRate = 1;
  }

  // Chasing a playing A by seeking B never lands (A moves on while B seeks), so hold both, put
  // them on the same frame, and start them again together.
  async function resync() {
    state.holding = true;
    const a = master(); const b = follower();
    a.pause(); b.pause();
    const landed = (v) => new Promise((done) => v.addEventListener('seeked', done, {once: true}));
    const both = Promise.all([landed(a), landed(b)]);
    const t = a.currentTime;
    a.currentTime = t; b.currentTime = t;
    await both;
    state.resyncs += 1;
    b.playbackRate = 1;
    state.settleUntil = performance.now() + 400;
    if (state.playing) await Promise.all([a.play(), b.play()]).catch(() => {});
    state.holding = false;
  }

  function step(frames) {
    if (state.playing) pause();
    seek(state.time + frames * FRAME);
  }

  // ---- modes, wipe and audio ----
  function setMode(mode) {
    state.mode = mode;
    stage.dataset.mode = mode;
    modeBar.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
    divider.hidden = mode !== 'wipe';
    setWipe(state.wipe);
  }

  // A sits on top; in wipe mode it is clipped to the left of the divider, B shows to its right.
  function setWipe(percent) {
    state.wipe = Math.min(100, Math.max(0, percent));
    reels.a.root.style.clipPath = state.mode === 'wipe' ? `inset(0 ${100 - state.wipe}% 0 0)` : '';
    divider.style.left = `${state.wipe}%`;
    divider.setAttribute('aria-valuenow', String(Math.round(state.wipe)));
  }

  function hear(side) {
    state.heard = side;
    Object.values(reels).forEach((r) => r.videos().forEach((v) => { v.muted = r.side !== side; }));
    hearBar.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.hear === side)));
  }

  function wipeFromPointer(e) {
    const box = stage.getBoundingClientRect();
    setWipe(((e.clientX - box.left) / box.width) * 100);
  }
  divider.addEventListener('pointerdown', (e) => {
    e.preventDefault(); divider.setPointerCapture(e.pointerId); divider.classList.add('dragging');
  });
  divider.addEventListener('pointermove', (e) => { if (divider.hasPointerCapture(e.pointerId)) wipeFromPointer(e); });
  divider.addEventListener('pointerup', (e) => { divider.releasePointerCapture(e.pointerId); divider.classList.remove('dragging'); });
  stage.addEventListener('click', (e) => { if (state.mode === 'wipe' && e.target !== divider) wipeFromPointer(e); });
  divider.addEventListener('keydown', (e) => {
    const by = e.shiftKey ? 10 : 2;
    const moves = {ArrowLeft: -by, ArrowRight: by, Home: -100, End: 100};
    if (e.key in moves) { e.preventDefault(); e.stopPropagation(); setWipe(state.wipe + moves[e.key]); }
  });

  // ---- versions ----
  function versionLabel(clip) {
    const when = clip.created_at ? new Date(clip.created_at).toLocaleString([], {dateStyle: 'short', timeStyle: 'short'}) : '';
    const takes = clip.takes.length ? ` · take ${clip.takes.map((t) => t.number).join(', ')}` : '';
    return `v${clip.version} · ${when} · ${clip.cost_credits} cr${takes}`;
  }

  function load(side, clipId) {
    const clip = state.stack.find((c) => c.id === clipId) || state.stack[state.stack.length - 1];
    const reel = reels[side];
    reel.clip = clip;
    reel.body.src = clip.url;
    reel.body.poster = clip.poster_url || '';
    reel.label.textContent = `${side.toUpperCase()} · v${clip.version}`;
    (side === 'a' ? pickA : pickB).value = String(clip.id);
    // The clock's end is the shorter version, so neither side runs past its last frame.
    const lengths = [reels.a, reels.b].map((r) => (r.clip ? r.clip.duration : Infinity));
    state.length = Math.min(...lengths);
    scrub.max = String(state.length);
    reel.body.addEventListener('loadedmetadata', () => seek(state.time), {once: true});
  }

  function fill(select) {
    select.replaceChildren(...state.stack.map((c) => make('option', {value: String(c.id), textContent: versionLabel(c)})));
  }

  pickA.addEventListener('change', () => { pause(); load('a', Number(pickA.value)); });
  pickB.addEventListener('change', () => { pause(); load('b', Number(pickB.value)); });
  modeBar.addEventListener('click', (e) => { const b = e.target.closest('[data-mode]'); if (b) setMode(b.dataset.mode); });
  hearBar.addEventListener('click', (e) => { const b = e.target.closest('[data-hear]'); if (b) hear(b.dataset.hear); });
  playBtn.addEventListener('click', () => (state.playing ? pause() : play()));
  scrub.addEventListener('input', () => { if (state.playing) pause(); seek(Number(scrub.value)); });
  closeBtn.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    state.playing = false;
    Object.values(reels).forEach((r) => r.pause());
  });
  // The review page binds letters (I, O, N...) on the document; while comparing, keys belong here.
  dialog.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') return;  // the dialog closes itself
    e.stopPropagation();
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT') return;
    if (e.key === ',') { e.preventDefault(); step(-1); }
    else if (e.key === '.') { e.preventDefault(); step(1); }
    else if (e.key === ' ' && e.target.tagName !== 'BUTTON') { e.preventDefault(); state.playing ? pause() : play(); }
  });

  // Open on shot `index` of `cut` (the take on the page): its stack from the API, B = the clip in
  // this cut, A = the clip the previous take had (else the version before B), lead-in from the shot before.
  async function open(cut, index) {
    const shot = cut.shots[index];
    state.cut = cut; state.index = index;
    state.stack = await api('GET', `/api/shots/${shot.shot_id}/clips`);
    if (!state.stack.length) return;
    const before = index > 0 ? cut.shots[index - 1] : null;
    state.lead = before && before.src ? before : null;
    state.leadLength = state.lead ? state.lead.duration : 0;
    state.pre = state.lead ? Math.min(LEAD_IN, state.leadLength) : 0;
    Object.values(reels).forEach((r) => {
      r.clip = null;
      if (state.lead) r.lead.src = state.lead.src; else r.lead.removeAttribute('src');
      r.lead.addEventListener('loadedmetadata', () => {
        state.leadLength = r.lead.duration; state.pre = Math.min(LEAD_IN, state.leadLength); seek(state.time);
      }, {once: true});
    });
    const ids = state.stack.map((c) => c.id);
    const b = ids.includes(shot.clip_id) ? shot.clip_id : ids[ids.length - 1];
    const a = shot.previous && ids.includes(shot.previous.clip_id) ? shot.previous.clip_id : ids[Math.max(0, ids.indexOf(b) - 1)];
    fill(pickA); fill(pickB);
    load('a', a); load('b', b);
    title.textContent = `Compare · ${shot.code}`;
    scrub.min = String(-state.pre);
    note.textContent = (state.lead ? `Each side opens on the last ${state.pre}s of ${state.lead.code}. ` : `${shot.code} opens the scene: no lead-in. `)
      + `${state.stack.length} version${state.stack.length === 1 ? '' : 's'}. Keys: , . step a frame · space plays · arrows move the wipe.`;
    state.playing = false; state.holding = false;
    setMode(state.mode); hear(state.heard); seek(-state.pre);
    dialog.showModal();
    playBtn.focus();
  }

  // A live review session mirrors this viewer (review-room.js): what the presenter has open, and
  // showing the same on a follower. The time is sent only while paused, so playing sends nothing new.
  function view() {
    if (!dialog.open) return null;
    return {index: state.index, a: reels.a.clip ? reels.a.clip.id : null, b: reels.b.clip ? reels.b.clip.id : null,
            mode: state.mode, wipe: Math.round(state.wipe), playing: state.playing,
            time: state.playing ? 0 : Math.round(state.time * 1000) / 1000};
  }
  async function show(v) {
    if (!v) { if (dialog.open) dialog.close(); return; }
    if (!dialog.open || state.index !== v.index) {
      const cut = state.cut || JSON.parse(document.getElementById('cut-data').textContent);
      await open(cut, v.index);
    }
    if (v.a && (!reels.a.clip || reels.a.clip.id !== v.a)) load('a', v.a);
    if (v.b && (!reels.b.clip || reels.b.clip.id !== v.b)) load('b', v.b);
    if (state.mode !== v.mode) setMode(v.mode);
    if (Math.round(state.wipe) !== v.wipe) setWipe(v.wipe);
    if (v.playing && !state.playing) play();
    else if (!v.playing) {
      if (state.playing) pause();
      if (Math.abs(state.time - v.time) > FRAME / 2) seek(v.time);
    }
  }

  return {open, seek, play, pause, step, setWipe, view, show, state: () => ({...state, stack: undefined, cut: undefined})};
}
