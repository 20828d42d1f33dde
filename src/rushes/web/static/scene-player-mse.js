/*
 * Media Source Extensions engine of <scene-player> (loaded by scene-player.js as an ES module).
 *
 * One <video> plays the whole scene from one MediaSource with one SourceBuffer: each ready shot's
 * fragmented MP4 is appended with timestampOffset = shot.start and an append window of
 * [start, start + duration], so the encoder's priming and any overrun are trimmed and every cut
 * lands exactly on the shot boundary. The decoder and the audio renderer see one continuous stream,
 * so a cut costs no start-up latency at all. Shots without media are gaps in the buffered ranges;
 * the player shows them as slates on a wall-clock timer (its slate logic), with this video parked
 * on the next clip's first frame. open() resolves false when the scene cannot be played this way
 * (no MSE, codec unsupported, a clip not fragmented, clips with different tracks): the player then
 * falls back to stacked <video> elements. Only a window of shots around the playhead is fetched
 * and appended (scene-player-window.js), so a long scene plays in bounded memory.
 */
import { FPS } from './kit/timecode.js';
import { ShotWindow } from './scene-player-window.js';

/** Type of the first box named `kind` directly inside [start, end), as [offset, end] or null. */
function findBox(bytes, start, end, kind) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = start;
  while (off + 8 <= end) {
    let size = view.getUint32(off);
    const type = String.fromCharCode(bytes[off + 4], bytes[off + 5], bytes[off + 6], bytes[off + 7]);
    if (size === 1) size = Number(view.getBigUint64(off + 8));
    else if (size === 0) size = end - off;
    if (size < 8) return null;
    if (type === kind) return [off, Math.min(end, off + size)];
    off += size;
  }
  return null;
}

function indexOfAscii(bytes, text, start, end) {
  const codes = [...text].map((c) => c.charCodeAt(0));
  outer: for (let i = start; i + codes.length <= end; i++) {
    for (let k = 0; k < codes.length; k++) if (bytes[i + k] !== codes[k]) continue outer;
    return i;
  }
  return -1;
}

/** {mime, fragmented} of an MP4 clip, read from its moov (codec string from the avcC box). */
export function describeClip(buffer) {
  const bytes = new Uint8Array(buffer);
  const moov = findBox(bytes, 0, bytes.length, 'moov');
  if (!moov) return { fragmented: false, mime: '' };
  const fragmented = !!findBox(bytes, moov[0] + 8, moov[1], 'mvex');
  const avcc = indexOfAscii(bytes, 'avcC', moov[0], moov[1]);
  if (avcc < 0) return { fragmented, mime: '' };
  const hex = (n) => n.toString(16).padStart(2, '0');
  const codecs = [`avc1.${hex(bytes[avcc + 5])}${hex(bytes[avcc + 6])}${hex(bytes[avcc + 7])}`];
  if (indexOfAscii(bytes, 'mp4a', moov[0], moov[1]) >= 0) codecs.push('mp4a.40.2');
  return { fragmented, mime: `video/mp4; codecs="${codecs.join(',')}"`, audio: codecs.length > 1 };
}

export class MseEngine {
  constructor(player, stage) {
    this.p = player;
    this.shots = player._shots;
    this.appended = new Map(); // shot index -> Promise<boolean> of its append
    this.appending = -1; // shot whose bytes the SourceBuffer is taking now
    this.failed = new Set();
    this.queue = Promise.resolve();
    this.layout = null; // {mime, audio} of the first clip: every clip must share its tracks
    this.dead = false;
    this.playing = false;
    this.loopTimer = 0;
    // Before a gap the decoder keeps its last few frames (no end of stream to flush them), so the
    // video stalls up to ~0.2 s early: the clock then runs on the wall clock over a held frame.
    this.hold = null; // {from: scene seconds, wall: ms | 0 while paused}
    this.win = new ShotWindow(this, player);
    const v = (this.video = document.createElement('video'));
    v.className = 'sp-video';
    v.playsInline = true;
    v.muted = player._muted;
    v.dataset.mse = '1';
    stage.insertBefore(v, stage.firstChild);
  }

  /** Start fetching; resolve true once the scene will play through MSE, false to fall back. */
  async open() {
    if (!window.MediaSource) return false;
    const ready = this.shots.map((s, i) => i).filter((i) => this.shots[i].state === 'ready' && this.shots[i].src);
    if (!ready.length) return false;
    // The first playable clip decides the track layout (and whether MSE is possible at all).
    let first = null;
    for (const i of ready) {
      const buf = await this.win.clip(i);
      if (this.dead) return false;
      if (buf) { first = describeClip(buf); break; }
    }
    if (!first || !first.fragmented || !first.mime || !MediaSource.isTypeSupported(first.mime)) return false;
    this.layout = first;
    this.ms = new MediaSource();
    this.video.src = URL.createObjectURL(this.ms);
    await new Promise((resolve) => this.ms.addEventListener('sourceopen', resolve, { once: true }));
    if (this.dead) return false;
    URL.revokeObjectURL(this.video.src);
    this.ms.duration = this.p.duration;
    this.sb = this.ms.addSourceBuffer(first.mime);
    this.sb.mode = 'segments';
    this.video.addEventListener('error', () => this._broken('media error'));
    // Nothing is appended yet: the player's first seek builds the window around its shot.
    return true;
  }

  destroy() {
    this.dead = true;
    this.win.destroy();
    clearTimeout(this.loopTimer);
    const v = this.video;
    v.pause();
    v.removeAttribute('src');
    v.load();
    v.remove();
  }

  hasMedia(i) {
    const s = this.shots[i];
    return !!s && s.state === 'ready' && !!s.src && !this.failed.has(i);
  }

  /** Run fn after every SourceBuffer operation queued before it (one at a time, in order). */
  enqueue(fn) {
    const job = this.queue.then(fn);
    this.queue = job.catch(() => false);
    return job;
  }

  /** Promise<boolean>: shot i is in the SourceBuffer (appended again if the browser evicted it). */
  ensure(i) {
    if (!this.hasMedia(i) || !this.sb) return Promise.resolve(false);
    const known = this.appended.get(i);
    if (known && !this._evicted(i, known)) return known;
    const job = this.enqueue(() => this._append(i));
    this.appended.set(i, job);
    return job;
  }

  _evicted(i, job) {
    if (!job.settled || !job.ok) return false;
    const s = this.shots[i];
    return !this._bufferedAround(s.start + 0.001);
  }

  async _append(i) {
    const job = this.appended.get(i);
    const settle = (ok) => { if (job) { job.settled = true; job.ok = ok; } return ok; };
    // Not done, and not final: the shot is appended again when the window next wants it.
    const drop = () => { if (this.appended.get(i) === job) this.appended.delete(i); return settle(false); };
    if (this.dead) return settle(false);
    if (!this.win.wants(i)) return drop(); // the window moved on while this waited its turn
    const buf = await this.win.clip(i);
    if (this.dead) return settle(false);
    if (buf === undefined || !this.win.wants(i)) return drop();
    if (!buf) { this.p._onMediaError(i); return settle(false); }
    const info = describeClip(buf);
    if (!info.fragmented || info.audio !== this.layout.audio || !MediaSource.isTypeSupported(info.mime)) {
      this._broken(`shot ${this.shots[i].code}: clip cannot be appended`);
      return settle(false);
    }
    const s = this.shots[i];
    for (let attempt = 0; ; attempt++) {
      try {
        await this._push(i, buf);
        break;
      } catch (err) {
        if (this.dead) return settle(false);
        if (err.name === 'AbortError') { this.win.measure(); return drop(); }
        // The browser could not make room: trim to the shot on screen and this one, then retry.
        if (err.name === 'QuotaExceededError' && attempt < 2) { await this.win.relieve(i); continue; }
        if (err.name === 'QuotaExceededError') return drop();
        this._broken(`shot ${s.code}: ${err.message}`);
        return settle(false);
      }
    }
    this.win.stats.appends += 1;
    this.win.forget(i);
    this.win.measure();
    settle(true);
    this._maybeEnd();
    return true;
  }

  /** Append one clip at its shot's offset, trimmed to the shot; rejects with the append's error. */
  _push(i, buf) {
    const s = this.shots[i];
    const sb = this.sb;
    // An ended stream reopens on append. Set every time: abort() resets the append window.
    // Order matters: the window end must be set before a start beyond the previous end.
    sb.appendWindowStart = 0;
    sb.appendWindowEnd = s.start + s.duration;
    sb.appendWindowStart = s.start;
    sb.timestampOffset = s.start;
    return new Promise((resolve, reject) => {
      const off = () => {
        this.appending = -1;
        sb.removeEventListener('updateend', done);
        sb.removeEventListener('error', fail);
        sb.removeEventListener('abort', stop);
      };
      const done = () => { off(); resolve(); };
      const fail = () => { off(); reject(new Error('append failed')); };
      const stop = () => { off(); reject(new DOMException('append aborted', 'AbortError')); };
      sb.addEventListener('updateend', done);
      sb.addEventListener('error', fail);
      sb.addEventListener('abort', stop);
      try {
        this.appending = i;
        sb.appendBuffer(buf);
      } catch (err) {
        off();
        reject(err);
      }
    });
  }

  /** Once the last shot is in, end the stream so its final frames are flushed and 'ended' fires. */
  _maybeEnd() {
    const last = this.shots.length - 1;
    if (!this.hasMedia(last) || this.sb.updating || this.ms.readyState !== 'open') return;
    const job = this.appended.get(last);
    if (!job || !job.settled || !job.ok) return;
    if ([...this.appended.values()].some((j) => !j.settled)) return;
    this.ms.endOfStream();
  }

  _broken(reason) {
    if (this.dead) return;
    this.p._mseFailed(reason);
  }

  /** [start, end] of the buffered range containing t, or null. */
  _bufferedAround(t) {
    const b = this.sb ? this.sb.buffered : null;
    if (!b) return null;
    for (let k = 0; k < b.length; k++) if (t >= b.start(k) - 1e-4 && t < b.end(k)) return [b.start(k), b.end(k)];
    return null;
  }

  clock() {
    const h = this.hold;
    if (!h) return this.video.currentTime;
    return h.wall ? h.from + ((performance.now() - h.wall) / 1000) * this.p._rate : h.from;
  }

  setRate(r) { this.video.defaultPlaybackRate = r; this.video.playbackRate = r; }
  setMuted(m) { this.video.muted = m; }

  /** Seek to `local` seconds into shot i (frame-accurately) and resolve when that frame is shown. */
  async seekTo(i, local, token) {
    this.hold = null;
    this.win.focus(i); // outside the window: the target shot is appended first
    const ok = await this.ensure(i);
    if (token !== this.p._seekToken) return;
    if (!ok) { this.p._seekSlate(i, local); return; }
    const v = this.video;
    const s = this.shots[i];
    const last = Math.max(0, Math.ceil(s.duration * FPS - 1e-6) - 1);
    const frame = Math.min(Math.floor(local * FPS + 1e-6), last);
    const pos = s.start + frame / FPS + 0.0002;
    const presented = this.p._presented(v, 400);
    if (Math.abs(v.currentTime - pos) > 0.0001 || v.readyState < 2) {
      v.currentTime = pos;
      await this.p._once(v, 'seeked', 4000);
      if (token !== this.p._seekToken) return;
    }
    this.p._show(i);
    await presented;
  }

  /** While a slate is up, cue the video on the first frame of the next shot with media. */
  park(i) {
    this.win.focus(i);
    for (let n = i + 1; n < this.shots.length; n++) {
      if (!this.hasMedia(n)) continue;
      const pos = this.shots[n].start + 0.0002;
      this.ensure(n).then((ok) => {
        if (ok && this.video.paused && !this.hold && Math.abs(this.video.currentTime - pos) > 0.0001) this.video.currentTime = pos;
      });
      return;
    }
  }

  /** Play shot i from the video's position (cued on its first frame when it is elsewhere). */
  start(i) {
    const v = this.video;
    const s = this.shots[i];
    this.playing = true;
    if (this.hold) { this.hold.wall = performance.now(); return; }
    if (v.currentTime < s.start - 1e-4 || v.currentTime >= s.start + s.duration - 1e-4) v.currentTime = s.start + 0.0002;
    this.playing = true;
    v.playbackRate = this.p._rate;
    const p = v.play();
    if (p && p.catch) p.catch(() => {});
    this._watch();
  }

  pause() {
    if (this.hold && this.hold.wall) this.hold = { from: this.clock(), wall: 0 };
    this.playing = false;
    clearTimeout(this.loopTimer);
    this.loopTimer = 0;
    if (!this.video.paused) this.video.pause();
  }

  _watch() {
    const v = this.video;
    const id = (this.watchId = (this.watchId || 0) + 1);
    const onFrame = (now, meta) => {
      if (this.watchId !== id || !this.playing) return;
      this._follow(meta.mediaTime);
      v.requestVideoFrameCallback(onFrame);
    };
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(onFrame);
  }

  /** Keep the player's shot in step with the presented frame; loop a shot at its last frame. */
  _follow(t) {
    const p = this.p;
    const i = p._active;
    const s = this.shots[i];
    if (!s || p._paused || p._target !== null || !this.hasMedia(i)) return;
    const end = s.start + s.duration;
    if (p._loopShot) {
      // Jump back when the last frame has had its time, before the next shot's first frame shows.
      if (!this.loopTimer && t >= end - 1.5 / FPS) {
        const ms = Math.max(0, ((end - t) / p._rate) * 1000 - 8);
        this.loopTimer = setTimeout(() => { this.loopTimer = 0; if (p._loopShot && !p._paused) p._seek(s.start); }, ms);
      }
      return;
    }
    const j = p._shotAt(t);
    if (j !== i && t >= end - 1e-4) p._show(j);
  }

  /** Called on every paint while a shot with media plays: notice gaps and the end of the scene. */
  tick() {
    const p = this.p;
    const i = p._active;
    const v = this.video;
    if (!this.playing || p._loopShot) return;
    if (i !== this.win.center) this.win.focus(i); // a cut: slide the window along
    const s = this.shots[i];
    if (this.hold) {
      if (this.clock() >= s.start + s.duration) { this.hold = null; p._advanceFrom(i); }
      return;
    }
    const t = v.currentTime;
    this._follow(t);
    if (p._active !== i) return;
    const range = this._bufferedAround(t);
    // A range that ends within this shot is followed by a gap (a slate, or a clip shorter than its
    // shot): when the video runs dry there, the player moves on; a contiguous next shot just plays.
    const dry = !range || t >= range[1] - 0.002 || (v.readyState <= 2 && range[1] - t < 0.4);
    if (v.ended) { p._advanceFrom(i); return; }
    if (dry && (!range || range[1] < s.start + s.duration + 1e-3)) {
      // Before a slate this is expected; before a shot with media, that shot came too late.
      if (this.hasMedia(i + 1)) this.win.stats.seamStalls += 1;
      v.pause();
      this.hold = { from: t, wall: performance.now() };
      return;
    }
    // Keep the next shot's clip buffered ahead of the cut (it may have been evicted).
    const n = i + 1;
    if (n < this.shots.length && s.start + s.duration - t < 2) this.ensure(n);
  }
}
