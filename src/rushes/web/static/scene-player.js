/*
 * <scene-player> — plays the shot clips of a scene as one continuous cut (Rushes, stage 12).
 *
 * Load with <script src="/static/scene-player.js"></script>; the element uses an OPEN shadow
 * root and links scene-player.css from the same folder (override with attribute stylesheet="url").
 *
 * Properties
 *   shots        get/set Array<{code, start, duration, src, poster?, thumbs?, state?, reason?}>.
 *                state: 'ready' | 'queued' | 'rendering' | 'failed' (default 'ready' when src is set,
 *                else 'queued'). start = scene seconds of the shot; if any shot lacks start, all
 *                starts are computed from durations. thumbs = {url, count, tile_width, tile_height,
 *                interval_seconds}: a sprite of tiles left to right, top to bottom (columns = image
 *                width / tile_width). Setting shots resets the player to the start of the scene.
 *   pins         get/set Array<{id, time, label, category}> (time in scene seconds).
 *   currentTime  get/set scene seconds (setting = seek()).     duration    scene seconds (read-only).
 *   currentShot  index of the shot on screen (read-only).      paused      boolean (read-only).
 *   playbackRate get/set (menu offers 0.5, 1, 1.5, 2; L shuttle reaches 4).
 *   loopShot     get/set boolean: repeat the current shot.     muted       get/set boolean.
 *   ready        Promise resolved when the first picture of the scene is on screen.
 * Methods
 *   play(), pause(), seek(sceneSeconds) → Promise resolved once the frame at that time is presented,
 *   stepFrame(n) (pauses; n frames of 1/24 s, negative = back), nextShot(), prevShot(),
 *   goToShot(index) → Promise (like seek).
 * Events (CustomEvent, bubbling, composed)
 *   shotchange {index, code} · timeupdate {currentTime} · ended · pinclick {id, time} · ready.
 * Keys (when the element has focus): Space play/pause · K pause · L play, again 2x, 4x ·
 *   J reverse shuttle 1x, 2x, 4x (emulated by repeated backward seeks) · , . and ← → frame step ·
 *   ↑ [ previous shot · ↓ ] next shot · Home/End · M mute · F fullscreen · O loop shot.
 *
 * Media modes (read-only property mediaMode; attribute mode="stacked" forces the fallback):
 *   'mse' (default when MediaSource, the codecs and fragmented clips allow it): scene-player-mse.js
 *     appends every ready clip to one MediaSource at its scene offset, trimmed to the shot by the
 *     append window; one <video> plays the scene as one stream, so cuts are gapless by construction.
 *   'stacked' (fallback: no MSE, unfragmented clips, or an append that fails): one <video> per ready
 *     shot, stacked; every clip is preloaded and the next one is cued at its first frame. Just before
 *     the shot on screen presents its last frame (watched with requestVideoFrameCallback, with a
 *     learned start-up latency), the next clip is started underneath, and it is raised the moment its
 *     first frame is presented. Audio of each clip plays from its own element.
 * Shots that are not ready (queued, rendering, failed) play as a slate with their state for their
 * own duration: this keeps scene timing (and pin timecodes) honest while the other shots play.
 */
(() => {
  'use strict';
  const FPS = 24;
  const RATES = [0.5, 1, 1.5, 2];
  const SHUTTLE = [1, 2, 4];
  const START_MARGIN_MS = 4; // a start a little early costs nothing visible; a late one stalls
  const POOL_WARM_ALL = 12; // up to this many shots every clip is preloaded fully
  const SCRIPT_URL = document.currentScript ? document.currentScript.src : location.href;
  // The MSE engine is an ES module next to this file; without it the stacked path is used.
  let mseModule = null;
  const loadMse = () => (mseModule = mseModule || import(new URL('scene-player-mse.js', SCRIPT_URL).href).catch(() => null));
  const ICONS = {
    play: 'M8 5v14l11-7z', pause: 'M6 5h4v14H6zm8 0h4v14h-4z', prev: 'M6 6h2v12H6zm3.5 6 8.5 6V6z',
    next: 'M16 6h2v12h-2zM6 18l8.5-6L6 6z', back: 'M11 18V6l-8.5 6zm.5-6 8.5 6V6z',
    fwd: 'M4 18l8.5-6L4 6zm9-12v12l8.5-6z', loop: 'M7 7h10v3l4-4-4-4v3H5v6h2zm10 10H7v-3l-4 4 4 4v-3h12v-6h-2z',
    vol: 'M3 9v6h4l5 5V4L7 9zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z',
    mute: 'M3 9v6h4l5 5V4L7 9zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z',
    full: 'M7 14H5v5h5v-2H7zm-2-4h2V7h3V5H5zm12 7h-3v2h5v-5h-2zM14 5v2h3v3h2V5z',
  };
  const svg = (name) => `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${ICONS[name]}"/></svg>`;

  /** HH:MM:SS:FF at 24 fps for a time in seconds. */
  function timecode(seconds) {
    const total = Math.max(0, Math.floor(seconds * FPS + 1e-6));
    const pad = (n) => String(n).padStart(2, '0');
    const s = Math.floor(total / FPS);
    return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}:${pad(total % FPS)}`;
  }
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  const TEMPLATE = `
    <div class="sp" part="player">
      <div class="sp-stage" part="stage">
        <div class="sp-slate" hidden><div class="sp-slate-code"></div><div class="sp-slate-state"></div>
          <div class="sp-slate-reason"></div></div>
        <div class="sp-badge"><span class="sp-badge-code"></span><span class="sp-badge-index"></span></div>
      </div>
      <div class="sp-timeline" part="timeline">
        <div class="sp-pins"></div>
        <div class="sp-track" role="slider" aria-label="Scene timeline" tabindex="-1">
          <div class="sp-segments"></div><div class="sp-playhead"></div>
        </div>
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
        <button data-act="loop" class="sp-toggle" title="Loop current shot (O)">${svg('loop')}</button>
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
      this._videos = [];
      this._mse = null; // MSE engine while the scene plays from one MediaSource
      this._mode = 'stacked'; // 'mse' | 'stacked' | 'pending' (deciding)
      this._media = Promise.resolve();
      this._poolGen = 0;
      this._active = -1;
      this._paused = true;
      this._rate = 1;
      this._loopShot = false;
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
      const css = this.getAttribute('stylesheet') || new URL('scene-player.css', SCRIPT_URL).href;
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
      this._active = -1;
      this._paused = true;
      this._target = null;
      this.seek(0).then(() => this._readyResolve && this._readyResolve());
    }

    get pins() { return this._pins.map((p) => ({ ...p })); }
    set pins(list) {
      this._pins = (Array.isArray(list) ? list : []).map((p) => ({ ...p, time: Number(p.time) || 0 }));
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
    set loopShot(on) { this._loopShot = !!on; this._cancelHandoff(); this._renderUi(); }
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

    // ---- pool of clips --------------------------------------------------------------------

    _buildPool() {
      for (const v of this._videos) if (v) { v.pause(); v.removeAttribute('src'); v.load(); v.remove(); }
      this._videos = [];
      if (this._mse) { this._mse.destroy(); this._mse = null; }
      const gen = ++this._poolGen;
      const mse = this.getAttribute('mode') !== 'stacked' && !!window.MediaSource
        && this._shots.some((s) => s.state === 'ready' && s.src);
      if (!mse) { this._buildStacked(); return; }
      this._mode = 'pending';
      this._media = (async () => {
        const mod = await loadMse();
        if (gen !== this._poolGen) return;
        if (mod) {
          const engine = new mod.MseEngine(this, this._ui('.sp-stage'));
          this._mse = engine;
          const ok = await engine.open();
          if (gen !== this._poolGen) return;
          if (ok) { this._mode = 'mse'; return; }
          engine.destroy();
          this._mse = null;
        }
        this._buildStacked();
      })();
    }

    /** The MSE engine gave up mid-scene (a clip it cannot append): rebuild stacked, same place. */
    _mseFailed(reason) {
      if (!this._mse) return;
      console.warn(`scene-player: falling back to stacked videos (${reason})`);
      const t = this._clock();
      const resume = !this._paused;
      this._pauseMedia();
      this._mse.destroy();
      this._mse = null;
      this._poolGen += 1;
      this._buildStacked();
      this._active = -1;
      this.seek(t).then(() => { if (resume) this.play(); });
    }

    _hasMedia(i) { return this._mse ? this._mse.hasMedia(i) : !!this._videos[i]; }

    _buildStacked() {
      this._mode = 'stacked';
      const stage = this._ui('.sp-stage');
      const warmAll = this._shots.length <= POOL_WARM_ALL;
      this._videos = this._shots.map((shot, i) => {
        if (shot.state !== 'ready' || !shot.src) return null;
        const v = document.createElement('video');
        v.className = 'sp-video';
        v.playsInline = true;
        v.preload = warmAll ? 'auto' : 'metadata';
        v.muted = this._muted;
        v.defaultPlaybackRate = this._rate;
        v.playbackRate = this._rate;
        v.dataset.shot = String(i);
        if (shot.poster) v.poster = shot.poster;
        v.src = shot.src;
        v.addEventListener('ended', () => this._onMediaEnded(i));
        v.addEventListener('error', () => this._onMediaError(i));
        stage.insertBefore(v, stage.firstChild);
        return v;
      });
    }

    /** Local time at which shot i stops: its declared duration, or the clip's own end if shorter. */
    _shotEnd(i) {
      const shot = this._shots[i];
      const v = this._videos[i];
      const media = v && Number.isFinite(v.duration) ? v.duration : Infinity;
      return Math.min(shot.duration, media);
    }

    _shotAt(t) {
      const shots = this._shots;
      for (let i = shots.length - 1; i >= 0; i--) if (t >= shots[i].start - 1e-9) return i;
      return 0;
    }

    _nextIndex(i) { return i + 1 < this._shots.length ? i + 1 : -1; }

    _warm(i) {
      // Beyond the all-warm pool size, keep only the neighbours fully buffered.
      for (let k = i - 1; k <= i + 2; k++) {
        const v = this._videos[k];
        if (v && v.preload !== 'auto') v.preload = 'auto';
      }
    }

    // ---- clock ------------------------------------------------------------------------------

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

    _slateLocal() {
      const s = this._slate;
      if (this._paused || this._shuttle) return s.local;
      return s.local + ((performance.now() - s.wall) / 1000) * this._rate;
    }

    _rebaseSlate() {
      this._slate = { local: this._slateLocal(), wall: performance.now() };
    }

    // ---- showing a shot ---------------------------------------------------------------------

    _show(i) {
      const prev = this._active;
      const v = this._hasMedia(i);
      for (const [k, other] of this._videos.entries()) if (other) other.classList.toggle('sp-on', k === i);
      if (this._mse) {
        this._mse.video.classList.toggle('sp-on', v);
        if (!v) this._mse.park(i);
      }
      const slate = this._ui('.sp-slate');
      slate.hidden = !!v;
      if (!v) {
        const shot = this._shots[i];
        this._ui('.sp-slate-code').textContent = shot.code || `Shot ${i + 1}`;
        this._ui('.sp-slate-state').textContent = shot.state;
        this._ui('.sp-slate-state').dataset.state = shot.state;
        this._ui('.sp-slate-reason').textContent = shot.reason || '';
      }
      this._active = i;
      if (prev !== i) {
        const old = this._videos[prev];
        if (old) {
          old.pause();
          // Re-cue the clip we left at its first frame, ready for the next time it comes up.
          if (old.currentTime !== 0) old.currentTime = 0;
        }
        this._warm(i);
        this._emit('shotchange', { index: i, code: this._shots[i].code });
      }
      this._renderUi();
    }

    _seek(t) {
      const token = ++this._seekToken;
      this._cancelHandoff();
      if (!this._shots.length) return Promise.resolve();
      if (this._mode === 'pending') {
        this._target = clamp(t, 0, this.duration);
        if (this._active < 0) {
          // Name the first shot now, as the stacked path does; its picture follows once MSE is up.
          this._active = this._shotAt(Math.min(this._target, this.duration - 1e-6));
          this._emit('shotchange', { index: this._active, code: this._shots[this._active].code });
        }
        this._renderUi();
        return this._media.then(() => (token === this._seekToken ? this._seek(t) : undefined));
      }
      const end = this.duration;
      t = clamp(t, 0, end);
      const atEnd = t >= end - 1e-9;
      const i = this._shotAt(atEnd ? end - 1e-6 : t);
      const shot = this._shots[i];
      const wasPlaying = !this._paused && !this._shuttle;
      this._target = t;
      this._held = null;
      this._renderUi();
      const v = this._videos[i];
      const current = this._videos[this._active];
      if (current && this._active !== i) current.pause();
      if (this._mse) this._mse.pause();
      if (!this._hasMedia(i)) {
        this._seekSlate(i, t - shot.start);
        this._target = null;
        this._afterSeek(wasPlaying, atEnd);
        return Promise.resolve();
      }
      const local = clamp(t - shot.start, 0, shot.duration);
      if (v && !v.paused) v.pause();
      const seeking = this._mse ? this._mse.seekTo(i, local, token) : this._seekVideo(v, i, local, token);
      return (this._seeking = seeking.then(() => {
        if (token !== this._seekToken) return;
        this._target = null;
        this._held = t;
        this._afterSeek(wasPlaying, atEnd);
      }));
    }

    _seekSlate(i, local) {
      this._slate = { local: clamp(local, 0, this._shots[i].duration), wall: performance.now() };
      this._show(i);
    }

    _afterSeek(wasPlaying, atEnd) {
      this._emitTime(true);
      if (wasPlaying && !atEnd) this._startActive();
      else if (atEnd) this._pauseMedia();
      this._renderUi();
    }

    async _seekVideo(v, i, local, token) {
      if (v.readyState < 1) await this._once(v, 'loadedmetadata', 4000);
      if (token !== this._seekToken) return;
      const end = this._shotEnd(i);
      // Frame-accurate: aim just after the start of the frame that contains `local`.
      const frame = Math.min(Math.floor(local * FPS + 1e-6), Math.max(0, Math.ceil(end * FPS - 1e-6) - 1));
      const pos = frame / FPS + 0.0002;
      const presented = this._presented(v, 400);
      if (Math.abs(v.currentTime - pos) > 0.0001 || v.readyState < 2) {
        v.currentTime = pos;
        await this._once(v, 'seeked', 4000);
        if (token !== this._seekToken) return;
      }
      this._show(i);
      await presented;
    }

    /** Resolves when `v` presents a new frame (requestVideoFrameCallback), or after `ms` / two paints. */
    _presented(v, ms) {
      return new Promise((resolve) => {
        let done = false;
        const finish = () => { if (!done) { done = true; resolve(); } };
        if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(finish);
        setTimeout(finish, ms);
        // A clip already showing the right frame presents nothing new: then two paints suffice.
        const check = () => requestAnimationFrame(() => requestAnimationFrame(() => {
          if (!v.seeking && v.readyState >= 2 && v.classList.contains('sp-on')) setTimeout(finish, 60);
        }));
        if (!v.seeking) check(); else v.addEventListener('seeked', check, { once: true });
      });
    }

    _once(target, type, ms) {
      return new Promise((resolve) => {
        const done = () => { clearTimeout(timer); target.removeEventListener(type, done); resolve(); };
        const timer = setTimeout(done, ms);
        target.addEventListener(type, done);
      });
    }

    // ---- playback ---------------------------------------------------------------------------

    _startActive() {
      const i = this._active;
      const v = this._videos[i];
      if (this._paused || i < 0) return;
      this._held = null;
      if (!this._hasMedia(i)) { this._slate.wall = performance.now(); this._ensureTick(); return; }
      if (this._mse) { this._mse.start(i); this._ensureTick(); return; }
      v.playbackRate = this._rate;
      const p = v.play();
      if (p && p.catch) p.catch(() => {});
      this._watchFrames(v, i);
      this._ensureTick();
    }

    _pauseMedia() {
      if (!this._paused) this._held = null;
      this._rebaseSlate();
      this._paused = true;
      this._cancelHandoff();
      for (const v of this._videos) if (v && !v.paused) v.pause();
      if (this._mse) this._mse.pause();
    }

    _watchFrames(v, i) {
      const id = (v._spWatch = (v._spWatch || 0) + 1);
      const onFrame = (now, meta) => {
        if (v._spWatch !== id || this._paused || this._active !== i || v.paused) return;
        // How far ahead of this paint the frame reaches the screen; used to time the reveal.
        const lead = meta.expectedDisplayTime - now;
        if (lead >= 0 && lead < 100) this._paintLead = 0.8 * this._paintLead + 0.2 * lead;
        this._planHandoff(i, meta);
        v.requestVideoFrameCallback(onFrame);
      };
      if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(onFrame);
    }

    /**
     * Gapless cut: the next clip sits cued on its first frame underneath; it is raised in the paint
     * where this shot's last frame has had its time on screen (endWall). It is started so that its
     * clock reaches 0 at endWall, or earlier if its renderer would otherwise present its first
     * frames too late: then its second frame is the first one presented, right after its first.
     */
    _planHandoff(i, meta) {
      if (this._handoff || this._loopShot || this._target !== null) return;
      const n = this._nextIndex(i);
      const next = this._videos[n];
      if (n < 0 || !next) return;
      const remaining = (this._shotEnd(i) - meta.mediaTime) / this._rate; // s, incl. the frame shown
      const endWall = meta.expectedDisplayTime + remaining * 1000;
      const frameMs = 1000 / FPS / this._rate;
      const playAt = endWall - Math.max(this._clockLatency, this._presentLatency - frameMs) - START_MARGIN_MS;
      if (playAt - performance.now() > 150) return;
      const handoff = { from: i, to: n, endWall, timer: 0, raf: 0, started: 0 };
      this._handoff = handoff;
      handoff.timer = setTimeout(() => this._startNext(handoff), Math.max(0, playAt - performance.now()));
      const reveal = (now) => {
        if (this._handoff !== handoff) return;
        if (now + this._paintLead >= handoff.endWall - 4) this._completeHandoff(handoff);
        else handoff.raf = requestAnimationFrame(reveal);
      };
      handoff.raf = requestAnimationFrame(reveal);
    }

    _startNext(handoff) {
      if (this._handoff !== handoff || this._paused || handoff.started) return;
      const next = this._videos[handoff.to];
      next.playbackRate = this._rate;
      handoff.started = performance.now();
      next.requestVideoFrameCallback((now, meta) => {
        const present = meta.expectedDisplayTime - handoff.started;
        const zero = present - (meta.mediaTime * 1000) / this._rate;
        if (present > 0 && present < 500 && zero > 0) {
          this._presentLatency = 0.6 * this._presentLatency + 0.4 * present;
          this._clockLatency = 0.6 * this._clockLatency + 0.4 * zero;
        }
        if (this._handoff === handoff) this._completeHandoff(handoff);
      });
      const p = next.play();
      if (p && p.catch) p.catch(() => {});
      // Never hang on a clip that does not present: cut to it anyway.
      setTimeout(() => { if (this._handoff === handoff) this._completeHandoff(handoff); }, 1000);
    }

    _completeHandoff(handoff) {
      cancelAnimationFrame(handoff.raf);
      clearTimeout(handoff.timer);
      if (!handoff.started) this._startNext(handoff);
      this._handoff = null;
      this._show(handoff.to);
      this._watchFrames(this._videos[handoff.to], handoff.to);
    }

    _cancelHandoff() {
      const h = this._handoff;
      if (!h) return;
      clearTimeout(h.timer);
      cancelAnimationFrame(h.raf);
      this._handoff = null;
      const next = this._videos[h.to];
      if (h.started && next && h.to !== this._active) {
        next.pause();
        next.currentTime = 0;
      }
    }

    _onMediaEnded(i) {
      if (i !== this._active || this._paused || this._handoff) return;
      this._advanceFrom(i);
    }

    _onMediaError(i) {
      const shot = this._shots[i];
      const v = this._videos[i];
      if (!shot || !(v || (this._mse && this._mse.hasMedia(i)))) return;
      // An unplayable clip becomes a failed placeholder; the rest of the scene keeps playing.
      shot.state = 'failed';
      shot.reason = shot.reason || 'clip could not be played';
      if (this._mse) this._mse.failed.add(i);
      if (v) v.remove();
      this._videos[i] = null;
      if (this._handoff && this._handoff.to === i) this._cancelHandoff();
      this._buildTimeline();
      if (this._active === i) {
        this._slate = { local: clamp(this._clock() - shot.start, 0, shot.duration), wall: performance.now() };
        this._active = -1;
        this._show(i);
      }
    }

    /** The shot on screen has run out without a gapless handoff: loop, move on, or end the scene. */
    _advanceFrom(i) {
      const shot = this._shots[i];
      if (this._loopShot) { this._seek(shot.start); return; }
      const n = this._nextIndex(i);
      if (n < 0) {
        this._pauseMedia();
        this._target = null;
        if (!this._hasMedia(i)) this._slate = { local: shot.duration, wall: performance.now() };
        this._emitTime(true);
        this._renderUi();
        this._emit('ended', {});
        return;
      }
      if (this._hasMedia(n)) {
        this._show(n);
        this._startActive();
      } else {
        this._slate = { local: 0, wall: performance.now() };
        this._show(n);
      }
    }

    _ensureTick() {
      if (this._raf || !this.isConnected) return;
      const tick = () => {
        this._raf = 0;
        this._onTick();
        if (!this._paused || this._target !== null) this._raf = requestAnimationFrame(tick);
      };
      this._raf = requestAnimationFrame(tick);
    }

    _onTick() {
      const i = this._active;
      const shot = this._shots[i];
      if (shot && !this._paused && this._target === null) {
        const v = this._videos[i];
        if (!this._hasMedia(i)) { if (this._slateLocal() >= shot.duration) this._advanceFrom(i); }
        else if (this._mse) this._mse.tick();
        // A clip longer than its declared duration is cut at the declared end.
        else if (v && !this._handoff && v.currentTime >= this._shotEnd(i) - 1e-3 && !v.ended) this._advanceFrom(i);
      }
      this._emitTime(false);
      this._renderTime();
    }

    _emitTime(force) {
      const now = performance.now();
      if (!force && now - this._lastTick < 100) return;
      this._lastTick = now;
      this._emit('timeupdate', { currentTime: this._clock() });
    }

    // ---- J/K/L shuttle ----------------------------------------------------------------------

    _shuttleForward() {
      if (this._shuttle || this._paused) {
        this._stopShuttle();
        this.playbackRate = 1;
        this.play();
        return;
      }
      const idx = SHUTTLE.indexOf(this._rate);
      this.playbackRate = SHUTTLE[Math.min(SHUTTLE.length - 1, idx + 1)];
    }

    _shuttleReverse() {
      const speed = this._shuttle ? SHUTTLE[Math.min(SHUTTLE.length - 1, SHUTTLE.indexOf(-this._shuttle) + 1)] : 1;
      if (!this._paused) this._pauseMedia();
      const run = ++this._shuttleRun;
      this._shuttle = -speed;
      const from = this._clock();
      const wall = performance.now();
      this._renderUi();
      const step = async () => {
        while (this._shuttleRun === run && this._shuttle) {
          const t = from - ((performance.now() - wall) / 1000) * speed;
          if (t <= 0) { await this._seek(0); this._shuttle = 0; break; }
          await this._seek(t);
          await new Promise((r) => setTimeout(r, 1000 / FPS / 2));
        }
        this._renderUi();
      };
      step();
    }

    _stopShuttle() {
      this._shuttleRun += 1;
      this._shuttle = 0;
    }

    // ---- timeline, pins, hover --------------------------------------------------------------

    _buildTimeline() {
      const seg = this._ui('.sp-segments');
      const total = this.duration || 1;
      seg.innerHTML = this._shots.map((s, i) => {
        const left = (s.start / total) * 100;
        const width = (s.duration / total) * 100;
        const label = s.state === 'ready' ? esc(s.code) : `${esc(s.code)} · ${esc(s.state)}`;
        const title = s.state === 'ready' ? '' : ` title="${esc(`${s.code}: ${s.state}${s.reason ? ` — ${s.reason}` : ''}`)}"`;
        return `<div class="sp-seg" data-index="${i}" data-state="${esc(s.state)}"${title}
          style="left:${left}%;width:${width}%"><span class="sp-seg-code">${label}</span></div>`;
      }).join('');
      this._ui('.sp-tc-dur').textContent = timecode(this.duration);
    }

    _renderPins() {
      const box = this._ui('.sp-pins');
      const total = this.duration || 1;
      box.innerHTML = this._pins.map((p) => `<button class="sp-pin" data-id="${esc(p.id)}"
        data-category="${esc(p.category)}" style="left:${clamp(p.time / total, 0, 1) * 100}%"
        title="${esc(`${timecode(p.time)} · ${p.label || ''}`)}"></button>`).join('');
    }

    _timeAtX(clientX) {
      const r = this._ui('.sp-track').getBoundingClientRect();
      return clamp((clientX - r.left) / Math.max(1, r.width), 0, 1) * this.duration;
    }

    _hover(clientX) {
      const box = this._ui('.sp-hover');
      if (!this._shots.length) { box.hidden = true; return; }
      const t = Math.min(this._timeAtX(clientX), this.duration - 1e-6);
      const i = this._shotAt(t);
      const shot = this._shots[i];
      const local = t - shot.start;
      const thumb = this._ui('.sp-hover-thumb');
      thumb.className = 'sp-hover-thumb';
      thumb.removeAttribute('style');
      thumb.textContent = '';
      if (shot.state !== 'ready') {
        thumb.classList.add('sp-thumb-placeholder');
        thumb.dataset.state = shot.state;
        thumb.textContent = shot.state;
      } else if (shot.thumbs && shot.thumbs.url && shot.thumbs.count) {
        this._spriteTile(thumb, shot.thumbs, local);
      } else if (shot.poster) {
        thumb.style.backgroundImage = `url("${shot.poster}")`;
        thumb.style.backgroundSize = 'cover';
      }
      const extra = shot.state === 'ready' ? '' : `<div class="sp-hover-reason">${esc(shot.state)}${shot.reason ? ` — ${esc(shot.reason)}` : ''}</div>`;
      this._ui('.sp-hover-text').innerHTML = `<b>${esc(shot.code)}</b> ${timecode(t)}${extra}`;
      box.hidden = false;
      const track = this._ui('.sp-track').getBoundingClientRect();
      const w = box.offsetWidth || 160;
      box.style.left = `${clamp(clientX - track.left - w / 2, 0, Math.max(0, track.width - w))}px`;
    }

    _spriteTile(el, thumbs, local) {
      const tw = Number(thumbs.tile_width) || 160;
      const th = Number(thumbs.tile_height) || 90;
      const idx = clamp(Math.floor(local / (Number(thumbs.interval_seconds) || 1)), 0, thumbs.count - 1);
      this._spriteCols = this._spriteCols || new Map();
      let cols = this._spriteCols.get(thumbs.url);
      if (!cols) {
        cols = thumbs.count; // a single row until the image says otherwise
        const img = new Image();
        img.onload = () => this._spriteCols.set(thumbs.url, Math.max(1, Math.floor(img.naturalWidth / tw)));
        img.src = thumbs.url;
      }
      const scale = 160 / tw;
      el.style.width = `${tw * scale}px`;
      el.style.height = `${th * scale}px`;
      el.style.backgroundImage = `url("${thumbs.url}")`;
      el.style.backgroundPosition = `${-(idx % cols) * tw * scale}px ${-Math.floor(idx / cols) * th * scale}px`;
      const rows = Math.ceil(thumbs.count / cols);
      el.style.backgroundSize = `${cols * tw * scale}px ${rows * th * scale}px`;
    }

    // ---- UI wiring --------------------------------------------------------------------------

    _bindUi() {
      const acts = {
        play: () => (this._paused || this._shuttle ? this.play() : this.pause()),
        prev: () => this.prevShot(), next: () => this.nextShot(),
        back: () => this.stepFrame(-1), fwd: () => this.stepFrame(1),
        loop: () => { this.loopShot = !this.loopShot; },
        mute: () => { this.muted = !this.muted; },
        full: () => this._toggleFullscreen(),
      };
      this.shadowRoot.querySelector('.sp-controls').addEventListener('click', (e) => {
        const b = e.target.closest('button[data-act]');
        if (b) acts[b.dataset.act]();
      });
      this._ui('.sp-rate').addEventListener('change', (e) => { this.playbackRate = Number(e.target.value); });
      this._ui('.sp-stage').addEventListener('click', () => acts.play());
      this._ui('.sp-pins').addEventListener('click', (e) => {
        const b = e.target.closest('.sp-pin');
        if (!b) return;
        const pin = this._pins.find((p) => String(p.id) === b.dataset.id);
        if (!pin) return;
        this.pause();
        this.seek(pin.time);
        this._emit('pinclick', { id: pin.id, time: pin.time });
      });
      this._bindScrub();
      this.addEventListener('keydown', (e) => this._onKey(e));
    }

    _bindScrub() {
      const track = this._ui('.sp-track');
      let scrub = null;
      const go = () => {
        if (!scrub || scrub.busy || scrub.want === null) return;
        const t = scrub.want;
        scrub.want = null;
        scrub.busy = true;
        this._seek(t).then(() => { if (scrub) { scrub.busy = false; go(); } });
      };
      track.addEventListener('pointerdown', (e) => {
        if (e.button !== 0 || !this._shots.length) return;
        track.setPointerCapture(e.pointerId);
        scrub = { resume: !this._paused && !this._shuttle, want: this._timeAtX(e.clientX), busy: false };
        this.pause();
        this._target = scrub.want;
        this._renderTime();
        go();
      });
      track.addEventListener('pointermove', (e) => {
        this._hover(e.clientX);
        if (!scrub) return;
        scrub.want = this._timeAtX(e.clientX);
        this._target = scrub.want;
        this._renderTime();
        go();
      });
      const finish = (e) => {
        if (!scrub) return;
        const s = scrub;
        scrub = null;
        const t = this._timeAtX(e.clientX);
        this._seek(t).then(() => { if (s.resume) this.play(); });
      };
      track.addEventListener('pointerup', finish);
      track.addEventListener('pointercancel', finish);
      track.addEventListener('pointerleave', () => { this._ui('.sp-hover').hidden = true; });
    }

    _onKey(e) {
      if (e.target !== this && e.composedPath()[0].tagName === 'SELECT') return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const map = {
        ' ': () => (this._paused || this._shuttle ? this.play() : this.pause()),
        k: () => { this.pause(); if (!RATES.includes(this._rate)) this.playbackRate = 1; }, l: () => this._shuttleForward(), j: () => this._shuttleReverse(),
        ',': () => this.stepFrame(-1), '.': () => this.stepFrame(1),
        ArrowLeft: () => this.stepFrame(-1), ArrowRight: () => this.stepFrame(1),
        ArrowUp: () => this.prevShot(), '[': () => this.prevShot(),
        ArrowDown: () => this.nextShot(), ']': () => this.nextShot(),
        Home: () => this.seek(0), End: () => this.seek(this.duration),
        m: () => { this.muted = !this.muted; }, f: () => this._toggleFullscreen(),
        o: () => { this.loopShot = !this.loopShot; },
      };
      const fn = map[e.key.length === 1 ? e.key.toLowerCase() : e.key];
      if (!fn) return;
      e.preventDefault();
      fn();
    }

    _toggleFullscreen() {
      if (document.fullscreenElement) document.exitFullscreen();
      else if (this.requestFullscreen) this.requestFullscreen().catch(() => {});
    }

    _renderUi() {
      if (!this.shadowRoot) return;
      const playing = !this._paused || !!this._shuttle;
      const play = this._ui('.sp-play');
      play.innerHTML = svg(playing ? 'pause' : 'play');
      play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
      this._ui('[data-act="loop"]').classList.toggle('sp-active', this._loopShot);
      this._ui('[data-act="mute"]').innerHTML = svg(this._muted ? 'mute' : 'vol');
      const rate = this._ui('.sp-rate');
      if (RATES.includes(this._rate)) rate.value = String(this._rate);
      const shuttle = this._ui('.sp-shuttle');
      const label = this._shuttle ? `◀◀ ${-this._shuttle}×` : (RATES.includes(this._rate) ? '' : `▶▶ ${this._rate}×`);
      shuttle.hidden = !label;
      shuttle.textContent = label;
      this.toggleAttribute('playing', playing);
      for (const seg of this.shadowRoot.querySelectorAll('.sp-seg')) {
        seg.classList.toggle('sp-current', Number(seg.dataset.index) === this._active);
      }
      const shot = this._shots[this._active];
      this._ui('.sp-badge-code').textContent = shot ? shot.code : '';
      this._ui('.sp-badge-index').textContent = shot ? `${this._active + 1}/${this._shots.length}` : '';
      this._ui('.sp-shot-code').textContent = shot ? shot.code : '–';
      this._renderTime();
    }

    _renderTime() {
      const t = this._clock();
      const total = this.duration || 1;
      this._ui('.sp-playhead').style.left = `${clamp(t / total, 0, 1) * 100}%`;
      this._ui('.sp-tc-scene').textContent = timecode(t);
      const shot = this._shots[this._active];
      const local = shot ? clamp(t - shot.start, 0, shot.duration) : 0;
      this._ui('.sp-tc-shot').textContent = timecode(local);
      this._ui('.sp-track').setAttribute('aria-valuenow', t.toFixed(3));
    }

    _emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    }
  }

  ScenePlayer.timecode = timecode;
  if (!customElements.get('scene-player')) customElements.define('scene-player', ScenePlayer);
  window.ScenePlayer = ScenePlayer;
})();
