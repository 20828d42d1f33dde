/*
 * <scene-player> — plays the shot clips of a scene as one continuous cut (Rushes, stage 12).
 *
 * An ES module: import it (or load <script type="module" src="/static/scene-player.js">) and the element
 * is defined; it uses an OPEN shadow root and links scene-player.css from the same folder (override with
 * attribute stylesheet="url").
 *
 * Properties
 *   shots        get/set Array<{code, start, duration, src, poster?, thumbs?, state?, reason?}>.
 *                state: 'ready' | 'queued' | 'rendering' | 'failed' (default 'ready' when src is set,
 *                else 'queued'). start = scene seconds of the shot; if any shot lacks start, all
 *                starts are computed from durations. thumbs = {url, count, tile_width, tile_height,
 *                interval_seconds}: a sprite of tiles left to right, top to bottom (columns = image
 *                width / tile_width). Setting shots resets the player to the start of the scene.
 *   pins         get/set Array<{id, time, end?, label, category}> (scene seconds; `end` draws a range).
 *   chapters     get/set Array<{title, start, duration, id?}> (seconds on the same clock as shots):
 *                optional; drawn as a strip above the track (a film's scenes above their shots). A
 *                click on one seeks to its start; `chapterchange {index}` fires as the playhead enters one.
 *                A shot with state 'slate' (no src) is a titled placeholder played for its duration.
 *   proposals    get/set Array<{id, time, label, kind}>: proposed notes (quality control), drawn
 *                apart from pins in their own style under the track; a click emits proposalclick.
 *   currentTime  get/set scene seconds (setting = seek()).     duration    scene seconds (read-only).
 *   currentShot  index of the shot on screen (read-only).      paused      boolean (read-only).
 *   playbackRate get/set (menu offers 0.5, 1, 1.5, 2; L shuttle reaches 4).
 *   loopShot     get/set boolean: repeat the current shot.     muted       get/set boolean.
 *   waveform     get/set boolean: draw each shot's sound on the timeline (shots' `waveform` = URL of
 *                its peaks JSON {rate, duration, peaks}); event waveformdrawn {shots} when painted.
 *   ready        Promise resolved when the first picture of the scene is on screen.
 *   bufferStats  read-only, MSE mode: seconds buffered now / at most, seams that stalled (see
 *                scene-player-window.js; attributes buffer-ahead, buffer-behind, buffer-all).
 * Methods
 *   play(), pause(), seek(sceneSeconds) → Promise resolved once the frame at that time is presented,
 *   stepFrame(n) (pauses; n frames of 1/24 s, negative = back), nextShot(), prevShot(),
 *   goToShot(index) → Promise (like seek).
 * Events (CustomEvent, bubbling, composed)
 *   shotchange {index, code} · timeupdate {currentTime} · ended · pinclick {id, time} ·
 *   proposalclick {id, time} · chapterchange {index, chapter} · ready.
 * Slots
 *   overlay      children with slot="overlay" lie over the picture, in fullscreen too (drawings on notes).
 * Keys (when the element has focus): Space play/pause · K pause · L play, again 2x, 4x ·
 *   J reverse shuttle 1x, 2x, 4x (emulated by repeated backward seeks) · , . and ← → frame step ·
 *   ↑ [ previous shot · ↓ ] next shot · Home/End · M mute · F fullscreen · O loop shot.
 *
 * Media modes (read-only property mediaMode; attribute mode="stacked" forces the fallback):
 *   'mse' (default when MediaSource, the codecs and fragmented clips allow it): scene-player-mse.js
 *     appends every ready clip to one MediaSource at its scene offset, trimmed to the shot by the
 *     append window; one <video> plays the scene as one stream, so cuts are gapless by construction.
 *     A long scene is buffered as a window of shots around the playhead (scene-player-window.js).
 *   'stacked' (fallback: no MSE, unfragmented clips, or an append that fails): one <video> per ready
 *     shot, stacked; every clip is preloaded and the next one is cued at its first frame. Just before
 *     the shot on screen presents its last frame (watched with requestVideoFrameCallback, with a
 *     learned start-up latency), the next clip is started underneath, and it is raised the moment its
 *     first frame is presented. Audio of each clip plays from its own element.
 * Shots that are not ready (queued, rendering, failed) play as a slate with their state for their
 * own duration: this keeps scene timing (and pin timecodes) honest while the other shots play.
 *
 * Files: this module defines the element and its public API; its parts are ES modules next to it,
 * imported by it (pages need only this module): scene-player-playback.js (engine choice, seeking,
 * start/pause, end of shot), scene-player-stacked.js, scene-player-mse.js, scene-player-timeline.js
 * (segments, pins, hover thumbnails, scrubbing) and scene-player-controls.js (buttons, keys, shuttle).
 * The MSE engine is imported only when a scene needs it.
 */
import { esc } from './kit/html.js';
import { FPS, timecode } from './kit/timecode.js';
import controls from './scene-player-controls.js';
import playback from './scene-player-playback.js';
import stacked from './scene-player-stacked.js';
import timeline from './scene-player-timeline.js';
import waveform from './scene-player-waveform.js';

export const ScenePlayer = (() => {
  const RATES = [0.5, 1, 1.5, 2];
  // The MSE engine is loaded when a scene needs it; without it the stacked path is used.
  let mseModule = null;
  const loadMse = () => (mseModule = mseModule || import('./scene-player-mse.js').catch(() => null));
  const ICONS = {
    play: 'M8 5v14l11-7z', pause: 'M6 5h4v14H6zm8 0h4v14h-4z', prev: 'M6 6h2v12H6zm3.5 6 8.5 6V6z',
    next: 'M16 6h2v12h-2zM6 18l8.5-6L6 6z', back: 'M11 18V6l-8.5 6zm.5-6 8.5 6V6z',
    fwd: 'M4 18l8.5-6L4 6zm9-12v12l8.5-6z', loop: 'M7 7h10v3l4-4-4-4v3H5v6h2zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2z',
    vol: 'M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z',
    mute: 'M3 9v6h4l5 5V4L7 9zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z',
    full: 'M7 14H5v5h5v-2H7zm-2-4h2V7h3V5H5zm12 7h-3v2h5v-5h-2zM14 5v2h3v3h2V5z',
    wave: 'M3 11h2v2H3zm4-4h2v10H7zm4-4h2v18h-2zm4 5h2v8h-2zm4 2h2v4h-2z',
  };
  const svg = (name) => `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${ICONS[name]}"/></svg>`;

  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

  const TEMPLATE = `
    <div class="sp" part="player">
      <div class="sp-stage" part="stage">
        <div class="sp-slate" hidden><div class="sp-slate-code"></div><div class="sp-slate-state"></div>
          <div class="sp-slate-reason"></div></div>
        <div class="sp-badge"><span class="sp-badge-code"></span><span class="sp-badge-index"></span></div>
        <slot name="overlay"></slot>
      </div>
      <div class="sp-chapters" part="chapters" hidden><div class="sp-chapter-row"></div></div>
      <div class="sp-timeline" part="timeline">
        <div class="sp-pins"></div>
        <div class="sp-track" role="slider" aria-label="Scene timeline" tabindex="-1">
          <div class="sp-segments"></div><canvas class="sp-wave" hidden aria-hidden="true"></canvas><div class="sp-playhead"></div>
        </div>
        <div class="sp-proposals"></div>
        <div class="sp-hover" hidden><div class="sp-hover-thumb"></div><div class="sp-hover-text"></div></div>
      </div>
      <div class="sp-controls" part="controls">
        <button data-act="prev" title="Previous shot (↑ or [)">${svg('prev')}</button>
        <button data-act="back" title="Back one frame (,)">${svg('back')}</button>
        <button data-act="play" class="sp-play" title="Play / pause (Space, K)">${svg('play')}</button>
        <button data-act="fwd" title="Forward one frame (.)">${svg('fwd')}</button>
        <button data-act="next" title="Next shot (↓ or ])">${svg('next')}</button>
        <div class="sp-tc"><span class="sp-tc-scene" title="Scene timecode">00:00:00:00</span>
          <span class="sp-tc-sep">/</span><span class="sp-tc-dur">00:00:00:00</span></div>
        <div class="sp-shot-tc" title="Shot timecode"><span class="sp-shot-code">–</span>
          <span class="sp-tc-shot">00:00:00:00</span></div>
        <div class="sp-spacer"></div>
        <span class="sp-shuttle" hidden></span>
        <button data-act="wave" class="sp-toggle" title="Sound waveform on the timeline (W)" aria-pressed="false">${svg('wave')}</button>
        <button data-act="loop" class="sp-toggle" title="Loop current shot (/)">${svg('loop')}</button>
        <select class="sp-rate" title="Playback rate">${RATES.map((r) => `<option value="${r}">${r}×</option>`).join('')}</select>
        <button data-act="mute" title="Mute (M)">${svg('vol')}</button>
        <button data-act="full" title="Fullscreen (F)">${svg('full')}</button>
      </div>
    </div>`;

  class ScenePlayer extends HTMLElement {
    constructor() {
      super();
      this._shots = [];
      this._pins = [];
      this._proposals = [];
      this._chapters = [];
      this._chapterAt = -1;
      this._videos = [];
      this._mse = null; // MSE engine while the scene plays from one MediaSource
      this._mode = 'stacked'; // 'mse' | 'stacked' | 'pending' (deciding)
      this._media = Promise.resolve();
      this._poolGen = 0;
      this._active = -1;
      this._paused = true;
      this._rate = 1;
      this._loopShot = false;
      this._wave = localStorage.getItem('scene-player.waveform') === 'on';
      this._muted = false;
      this._shuttle = 0; // negative while J reverse shuttle runs
      this._shuttleRun = 0;
      this._target = null; // scene time of a seek in flight
      this._held = null; // scene time asked for by the last seek while paused (clips snap to frames)
      this._seekToken = 0;
      this._handoff = null;
      // Learned from each cut, in ms after play() of the next clip: when its clock is at 0, and
      // when its first frame reaches the screen (its renderer skips frames due before that).
      this._clockLatency = 60;
      this._presentLatency = 120;
      this._paintLead = 16; // ms from a paint's rAF time to the frame being on screen; learned
      this._slate = { local: 0, wall: 0 };
      this._lastTick = 0;
      this._raf = 0;
      this._readyResolve = null;
      this.ready = new Promise((resolve) => { this._readyResolve = resolve; });
      const root = this.attachShadow({ mode: 'open' });
      const css = this.getAttribute('stylesheet') || new URL('scene-player.css', import.meta.url).href;
      root.innerHTML = `<link rel="stylesheet" href="${esc(css)}">${TEMPLATE}`;
      this._ui = (sel) => root.querySelector(sel);
      this._bindUi();
    }

    connectedCallback() {
      if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
      this._renderUi();
    }

    disconnectedCallback() {
      cancelAnimationFrame(this._raf);
      this._raf = 0;
    }

    // ---- public API -------------------------------------------------------------------------

    get shots() { return this._shots.map((s) => ({ ...s })); }
    set shots(list) {
      const input = Array.isArray(list) ? list : [];
      const computeStarts = input.some((s) => typeof s.start !== 'number');
      let t = 0;
      this._shots = input.map((s) => {
        const duration = Number(s.duration) > 0 ? Number(s.duration) : 8;
        const state = s.state || (s.src ? 'ready' : 'queued');
        const shot = { ...s, duration, state, start: computeStarts ? t : Number(s.start) };
        t = shot.start + duration;
        return shot;
      });
      this._buildPool();
      this._buildTimeline();
      this._renderPins();
      this._renderChapters();
      this._active = -1;
      this._paused = true;
      this._target = null;
      this.seek(0).then(() => this._readyResolve && this._readyResolve());
    }

    get pins() { return this._pins.map((p) => ({ ...p })); }
    set pins(list) {
      this._pins = (Array.isArray(list) ? list : []).map((p) => ({ ...p, time: Number(p.time) || 0, end: Number(p.end) || 0 }));
      this._renderPins();
    }

    get chapters() { return this._chapters.map((c) => ({ ...c })); }
    set chapters(list) {
      this._chapters = (Array.isArray(list) ? list : []).map((c) => ({ ...c, start: Number(c.start) || 0, duration: Number(c.duration) || 0 }));
      this._chapterAt = -1;
      this._renderChapters();
    }

    get proposals() { return this._proposals.map((p) => ({ ...p })); }
    set proposals(list) {
      this._proposals = (Array.isArray(list) ? list : []).map((p) => ({ ...p, time: Number(p.time) || 0 }));
      this._renderPins();
    }

    get duration() {
      const last = this._shots[this._shots.length - 1];
      return last ? last.start + last.duration : 0;
    }
    get currentTime() { return this._clock(); }
    set currentTime(t) { this.seek(t); }
    get currentShot() { return this._active; }
    /** 'mse' (one MediaSource), 'stacked' (one <video> per shot) or 'pending' while deciding. */
    get mediaMode() { return this._mode; }
    get paused() { return this._paused; }
    /** MSE only (else null): {seconds, maxSeconds, seamStalls, quotaRetries, ahead, behind, ...}. */
    get bufferStats() { return this._mse && this._mse.win ? this._mse.win.report() : null; }
    get playbackRate() { return this._rate; }
    set playbackRate(rate) {
      const r = Number(rate);
      if (!(r > 0)) return;
      this._cancelHandoff(); // re-planned on the next frame at the new rate
      this._rebaseSlate();
      this._rate = r;
      for (const v of this._videos) if (v) { v.defaultPlaybackRate = r; v.playbackRate = r; }
      if (this._mse) this._mse.setRate(r);
      this._renderUi();
    }
    get loopShot() { return this._loopShot; }
    set loopShot(on) {
      this._loopShot = !!on;
      this._cancelHandoff();
      this._renderUi();
    }
    /** Whether the timeline shows each shot's sound (shots' `waveform` URLs); remembered by the browser. */
    get waveform() { return this._wave; }
    set waveform(on) {
      this._wave = !!on;
      try { localStorage.setItem('scene-player.waveform', this._wave ? 'on' : 'off'); } catch { /* private mode */ }
      this._drawWaveform();
    }
    get muted() { return this._muted; }
    set muted(on) {
      this._muted = !!on;
      for (const v of this._videos) if (v) v.muted = this._muted;
      if (this._mse) this._mse.setMuted(this._muted);
      this._renderUi();
    }

    play() {
      if (!this._shots.length) return Promise.resolve();
      if (this._mode === 'pending') return this._media.then(() => this.play());
      // With MSE a play() during a seek would race the seek's own pause/cue: start after it.
      if (this._mode === 'mse' && this._target !== null && this._seeking) return this._seeking.then(() => this.play());
      this._stopShuttle();
      if (this._clock() >= this.duration - 1 / FPS / 2) {
        return this.seek(0).then(() => this.play());
      }
      this._paused = false;
      this._startActive();
      this._renderUi();
      this._ensureTick();
      return Promise.resolve();
    }

    pause() {
      this._stopShuttle();
      this._pauseMedia();
      this._renderUi();
    }

    seek(sceneSeconds) {
      return this._seek(Number(sceneSeconds) || 0);
    }

    stepFrame(n = 1) {
      this.pause();
      const frame = Math.floor(this._clock() * FPS + 1e-6) + Math.trunc(n);
      const last = Math.max(0, Math.ceil(this.duration * FPS - 1e-6) - 1);
      return this.seek(clamp(frame, 0, last) / FPS);
    }

    goToShot(index) {
      const shot = this._shots[clamp(Math.trunc(index), 0, this._shots.length - 1)];
      return shot ? this.seek(shot.start) : Promise.resolve();
    }
    nextShot() {
      if (this._active >= this._shots.length - 1) return this.seek(this.duration);
      return this.goToShot(this._active + 1);
    }
    prevShot() { return this.goToShot(Math.max(0, this._active - 1)); }

    // ---- clock ------------------------------------------------------------------------------

    _hasMedia(i) { return this._mse ? this._mse.hasMedia(i) : !!this._videos[i]; }

    _clock() {
      if (this._target !== null) return this._target;
      if (this._held !== null) return this._held;
      const i = this._active;
      const shot = this._shots[i];
      if (!shot) return 0;
      if (!this._hasMedia(i)) return shot.start + this._slateLocal();
      if (this._mse) return clamp(this._mse.clock(), shot.start, shot.start + shot.duration);
      return shot.start + Math.min(this._videos[i].currentTime, shot.duration);
    }

    /** A shot still rendering: new words on its slate (state, progress), in place; playback is untouched. */
    setShotStatus(index, { state, reason } = {}) {
      const shot = this._shots[index];
      if (!shot || this._hasMedia(index)) return;
      if (state) shot.state = state;
      shot.reason = reason || '';
      if (this._active === index) this._show(index);
    }

    _slateLocal() {
      const s = this._slate;
      if (this._paused || this._shuttle) return s.local;
      return s.local + ((performance.now() - s.wall) / 1000) * this._rate;
    }

    _rebaseSlate() {
      this._slate = { local: this._slateLocal(), wall: performance.now() };
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
  }

  // Parts hold methods of ScenePlayer, mixed into its prototype before the element is defined.
  const KIT = { FPS, RATES, clamp, esc, timecode, svg, loadMse };
  for (const part of [playback, stacked, timeline, controls, waveform]) {
    const methods = part(KIT).prototype;
    for (const name of Object.getOwnPropertyNames(methods)) {
      if (name !== 'constructor') Object.defineProperty(ScenePlayer.prototype, name, Object.getOwnPropertyDescriptor(methods, name));
    }
  }

  ScenePlayer.timecode = timecode;
  if (!customElements.get('scene-player')) customElements.define('scene-player', ScenePlayer);
  return ScenePlayer;
})();
