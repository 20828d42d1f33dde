/*
 * Waveform of <scene-player> (a part loaded by scene-player.js): each shot's sound drawn along its
 * segment of the timeline while `waveform` is on (W, or the wave button), so a missing line or a
 * loudness step at a cut is seen before it is heard. A shot's `waveform` is the URL of its peaks
 * (JSON {rate, duration, peaks: [0..1]}, computed once per clip by the worker); each URL is fetched
 * once per page and kept.
 */
const fetched = new Map();

function peaksOf(url) {
  if (!fetched.has(url)) {
    fetched.set(url, fetch(url, { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  }
  return fetched.get(url);
}

export default function waveform() {
  return class Waveform {
    _drawWaveform() {
      const canvas = this._ui('.sp-wave');
      if (!canvas) return;
      const on = !!this._wave;
      canvas.hidden = !on;
      this.toggleAttribute('waveform', on);
      const button = this._ui('[data-act="wave"]');
      button.classList.toggle('sp-active', on);
      button.setAttribute('aria-pressed', String(on));
      if (!on) return;
      if (!this._waveResize) {
        this._waveResize = new ResizeObserver(() => { if (this._wave) this._drawWaveform(); });
        this._waveResize.observe(canvas);
      }
      const shots = this._shots;
      const run = (this._waveRun = (this._waveRun || 0) + 1);
      Promise.all(shots.map((s) => (s.waveform ? peaksOf(s.waveform) : null))).then((all) => {
        if (run === this._waveRun) this._paintWave(canvas, shots, all);
      });
    }

    _paintWave(canvas, shots, peaks) {
      const box = canvas.getBoundingClientRect();
      const dpr = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(box.width * dpr));
      const h = Math.max(1, Math.round(box.height * dpr));
      canvas.width = w; canvas.height = h;
      const ctx = canvas.getContext('2d');
      ctx.clearRect(0, 0, w, h);
      const total = this.duration || 1;
      const colour = getComputedStyle(this).getPropertyValue('--sp-wave').trim() || 'rgba(140, 210, 255, 0.85)';
      ctx.fillStyle = colour;
      let drawn = 0;
      shots.forEach((shot, i) => {
        const data = peaks[i];
        if (!data || !Array.isArray(data.peaks)) return;
        drawn += 1;
        const x0 = Math.floor((shot.start / total) * w);
        const x1 = Math.ceil(((shot.start + shot.duration) / total) * w);
        ctx.fillRect(x0, Math.floor(h / 2), Math.max(1, x1 - x0), Math.max(1, Math.round(dpr)));  // silence reads as a flat line
        for (let x = x0; x < x1; x++) {
          // The shot's own seconds under this pixel column; clips are trimmed to the shot's length.
          const from = Math.max(0, ((x / w) * total - shot.start) * data.rate);
          const to = Math.min(data.peaks.length, Math.min(shot.duration, ((x + 1) / w) * total - shot.start) * data.rate);
          let peak = 0;
          for (let k = Math.floor(from); k < Math.ceil(to); k++) peak = Math.max(peak, data.peaks[k] || 0);
          const bar = Math.round(peak * h);
          if (bar > 0) ctx.fillRect(x, Math.round((h - bar) / 2), 1, bar);
        }
      });
      canvas.dataset.shots = String(drawn);
      this._emit('waveformdrawn', { shots: drawn });
    }
  };
}
