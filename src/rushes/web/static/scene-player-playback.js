/*
 * Playback core of <scene-player> (a part loaded by scene-player.js, which documents the API):
 * choosing the media engine, which shot is on screen, seeking, start/pause, the end of a shot and
 * the paint loop. Media work is delegated to the MSE engine or to the stacked videos.
 */
export default function playback({ FPS, clamp, loadMse }) {
  return class Playback {
    // ---- pool of clips -----------------------------------------------------------------

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

    _shotAt(t) {
      const shots = this._shots;
      for (let i = shots.length - 1; i >= 0; i--) if (t >= shots[i].start - 1e-9) return i;
      return 0;
    }

    _nextIndex(i) { return i + 1 < this._shots.length ? i + 1 : -1; }

    // ---- showing a shot ----------------------------------------------------------------

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

    // ---- playback ----------------------------------------------------------------------

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
  };
}
