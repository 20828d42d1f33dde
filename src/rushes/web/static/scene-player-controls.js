/*
 * Transport of <scene-player> (a part loaded by scene-player.js): buttons, keys, the J/K/L
 * shuttle, fullscreen and the state shown by the controls.
 */
const SHUTTLE = [1, 2, 4];

export default function controls({ FPS, RATES, svg }) {
  return class Controls {
    // ---- UI wiring ---------------------------------------------------------------------

    _bindUi() {
      const acts = {
        play: () => (this._paused || this._shuttle ? this.play() : this.pause()),
        prev: () => this.prevShot(), next: () => this.nextShot(),
        back: () => this.stepFrame(-1), fwd: () => this.stepFrame(1),
        loop: () => { this.loopShot = !this.loopShot; },
        wave: () => { this.waveform = !this.waveform; },
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
      this._ui('.sp-proposals').addEventListener('click', (e) => {
        const b = e.target.closest('.sp-proposal');
        const proposal = b && this._proposals.find((p) => String(p.id) === b.dataset.id);
        if (!proposal) return;
        this.pause();
        this.seek(proposal.time);
        this._emit('proposalclick', { id: proposal.id, time: proposal.time });
      });
      this._bindScrub();
      this.addEventListener('keydown', (e) => this._onKey(e));
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
        w: () => { this.waveform = !this.waveform; },
        // I and O belong to the page (a note's in and out frames); the loop has its own key.
        '/': () => { this.loopShot = !this.loopShot; },
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
      // A review room nudges a follower's rate by a few percent to keep pace: still "1×" to the eye.
      const near = RATES.find((r) => Math.abs(r - this._rate) <= 0.13);
      if (near !== undefined) rate.value = String(near);
      const shuttle = this._ui('.sp-shuttle');
      const label = this._shuttle ? `◀◀ ${-this._shuttle}×` : (near !== undefined ? '' : `▶▶ ${this._rate}×`);
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

    // ---- J/K/L shuttle -----------------------------------------------------------------

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
  };
}
