/*
 * Stacked-video fallback of <scene-player> (a part loaded by scene-player.js): one <video> per
 * ready shot, stacked in the stage; the next clip sits cued on its first frame and is started and
 * raised just in time for a gapless cut (see the handoff below).
 */
const START_MARGIN_MS = 4; // a start a little early costs nothing visible; a late one stalls
const POOL_WARM_ALL = 12; // up to this many shots every clip is preloaded fully

export default function stackedVideos({ FPS }) {
  return class StackedVideos {
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

    _warm(i) {
      // Beyond the all-warm pool size, keep only the neighbours fully buffered.
      for (let k = i - 1; k <= i + 2; k++) {
        const v = this._videos[k];
        if (v && v.preload !== 'auto') v.preload = 'auto';
      }
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

    // ---- gapless handoff ---------------------------------------------------------------

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
  };
}
