/*
 * Buffer window of the MSE engine of <scene-player> (an ES module used by scene-player-mse.js).
 *
 * A long scene cannot sit whole in one SourceBuffer (Chromium keeps ~150 MB of video per
 * SourceBuffer and evicts on its own terms beyond that; a 60-shot 1080p scene is several times
 * that), so only a window of shots around the shot on screen is fetched and appended: that shot,
 * the next `ahead` shots with media and the `behind` shots with media before it. When the shot on
 * screen changes, buffered ranges outside the window are removed first and the missing shots are
 * then appended nearest first, so the buffer never holds more than the window. A seek outside the
 * window aborts an append that is no longer wanted, skips the appends queued for the old window,
 * removes the old window and appends the target shot before its neighbours, so the seek lands as
 * soon as that one shot is in. Clip bytes stay in memory only until appended: those of the
 * window's missing shots and of the next shot after it (prefetched, so sliding the window never
 * waits for the network). Scenes no longer than `all` seconds are buffered whole, as before the
 * window: every seek then lands on buffered media.
 * Attributes of <scene-player> read when a scene is opened: buffer-ahead (shots, default 2, at
 * least 1), buffer-behind (shots, default 1), buffer-all (seconds, default 40; 0 always windows).
 */
const SLACK = 0.0005; // s: removal bounds sit this far inside a cut, clear of timestamp rounding

export class ShotWindow {
  constructor(engine, player) {
    this.e = engine;
    this.shots = player._shots;
    const attr = (name, fallback) => {
      const v = Number(player.getAttribute(name));
      return player.hasAttribute(name) && Number.isFinite(v) && v >= 0 ? v : fallback;
    };
    const whole = player.duration <= attr('buffer-all', 40);
    this.ahead = whole ? Infinity : Math.max(1, Math.floor(attr('buffer-ahead', 2)));
    this.behind = whole ? Infinity : Math.floor(attr('buffer-behind', 1));
    this.center = -1; // the shot the window is built around (-1: none yet, every shot is wanted)
    this.wanted = new Set();
    this.bytes = new Map(); // shot index -> {promise: Promise<ArrayBuffer|null|undefined>, abort}
    // For tests and benches (player.bufferStats): seconds in the SourceBuffer now and at most, cuts
    // where the next shot was not buffered in time (the video ran dry), QuotaExceededError retries.
    this.stats = { seconds: 0, maxSeconds: 0, seamStalls: 0, quotaRetries: 0, appends: 0, removals: 0 };
  }

  report() {
    const ahead = this.ahead === Infinity ? null : this.ahead;
    const behind = this.behind === Infinity ? null : this.behind;
    return { ...this.stats, ahead, behind, whole: this.ahead === Infinity, center: this.center };
  }

  destroy() {
    for (const entry of this.bytes.values()) entry.abort();
    this.bytes.clear();
  }

  wants(i) { return this.center < 0 || this.wanted.has(i); }

  /** Shots with media the window keeps around shot c, in the order they are appended. */
  around(c) {
    const e = this.e;
    const n = this.shots.length;
    const out = [c];
    for (let k = c + 1, left = this.ahead; k < n && left > 0; k++) if (e.hasMedia(k)) { out.push(k); left -= 1; }
    for (let k = c - 1, left = this.behind; k >= 0 && left > 0; k--) if (e.hasMedia(k)) { out.push(k); left -= 1; }
    return out;
  }

  /** Shot i is in the SourceBuffer: its bytes need not stay in memory too (a re-append fetches). */
  forget(i) { this.bytes.delete(i); }

  /** Promise of shot i's clip: ArrayBuffer, null when it cannot be fetched, undefined if dropped. */
  clip(i) {
    const known = this.bytes.get(i);
    if (known) return known.promise;
    const ctl = new AbortController();
    const promise = (async () => {
      try {
        const res = await fetch(this.shots[i].src, { signal: ctl.signal });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return await res.arrayBuffer();
      } catch (err) {
        return ctl.signal.aborted ? undefined : null;
      }
    })();
    this.bytes.set(i, { promise, abort: () => ctl.abort() });
    return promise;
  }

  /** Build the window around shot c: called on every seek and whenever the shot on screen changes. */
  focus(c) {
    const e = this.e;
    if (c < 0 || c >= this.shots.length || !e.sb) return;
    const moved = c !== this.center;
    const order = this.around(c);
    this.center = c;
    this.wanted = new Set(order);
    if (moved) {
      // An append still running for a shot outside the new window only delays the target.
      if (e.sb.updating && e.appending >= 0 && !this.wanted.has(e.appending)) {
        try { e.sb.abort(); } catch (err) { /* a removal is running: it is quick, let it finish */ }
      }
      const keep = new Set(order.flatMap((i) => [i - 1, i, i + 1]));
      for (const [i, entry] of this.bytes) if (!keep.has(i)) { entry.abort(); this.bytes.delete(i); }
    }
    // Trim first (a removal takes a few ms), so even a seek far away never holds more than the
    // window; then the target shot, then its neighbours.
    if (moved) e.enqueue(() => this.trim());
    // Fetch side by side, append in turn; the shot on screen may be a slate, with nothing to fetch.
    for (const i of order) if (e.hasMedia(i) && !e.appended.has(i)) this.clip(i);
    for (const i of order) e.ensure(i);
    // The clip after the window is fetched now, so sliding the window never waits for the network.
    const last = Math.max(...order);
    for (let k = last + 1; k < this.shots.length && this.ahead !== Infinity; k++) {
      if (e.hasMedia(k)) { this.clip(k); break; }
    }
  }

  /** [from, to] in scene seconds that the window covers (the shot on screen at least). */
  span(shots = [...this.wanted, this.center]) {
    const from = Math.min(...shots.map((i) => this.shots[i].start));
    const to = Math.max(...shots.map((i) => this.shots[i].start + this.shots[i].duration));
    return [from, to];
  }

  /** Remove what is buffered outside [from, to] (default: the window). Runs inside the engine's queue. */
  async trim(from, to) {
    const e = this.e;
    if (e.dead || !e.sb || this.center < 0) return;
    if (from === undefined) [from, to] = this.span();
    const b = e.sb.buffered;
    let before = false;
    let after = false;
    for (let k = 0; k < b.length; k++) {
      if (b.start(k) < from - 0.01) before = true;
      if (b.end(k) > to + 0.01) after = true;
    }
    // Removal of video runs on to the next keyframe at or after its end: each shot starts on one,
    // so ending just before `from` takes the previous shot whole and leaves the shot at `from` be.
    if (before && from - SLACK > 0) await this._remove(0, from - SLACK);
    if (after) await this._remove(to - SLACK, Infinity);
    for (const [i, job] of e.appended) if (job.settled && !this.wanted.has(i)) e.appended.delete(i);
    this.measure();
    e._maybeEnd();
  }

  /** QuotaExceededError while appending shot i: keep only the shot on screen through shot i. */
  async relieve(i) {
    this.stats.quotaRetries += 1;
    const c = this.center < 0 ? i : this.center;
    await this.trim(...this.span([c, i]));
  }

  _remove(from, to) {
    const e = this.e;
    const sb = e.sb;
    return new Promise((resolve) => {
      const done = () => { this.stats.removals += 1; resolve(); };
      sb.addEventListener('updateend', done, { once: true });
      try {
        sb.remove(from, to);
      } catch (err) {
        sb.removeEventListener('updateend', done);
        resolve();
      }
    });
  }

  /** Seconds buffered now (the SourceBuffer's ranges, audio and video both present). */
  measure() {
    const b = this.e.sb ? this.e.sb.buffered : null;
    let total = 0;
    if (b) for (let k = 0; k < b.length; k++) total += b.end(k) - b.start(k);
    this.stats.seconds = Math.round(total * 1000) / 1000;
    this.stats.maxSeconds = Math.max(this.stats.maxSeconds, this.stats.seconds);
    return total;
  }
}
