/*
 * Timeline of <scene-player> (a part loaded by scene-player.js): shot segments, issue pins,
 * hover thumbnails from sprite sheets, scrubbing, and the playhead and timecodes.
 */
export default function timeline({ clamp, esc, timecode }) {
  return class Timeline {
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
      this._drawWaveform();
    }

    _renderPins() {
      const box = this._ui('.sp-pins');
      const total = this.duration || 1;
      // A range note is a span from its in to its out point under its pin.
      box.innerHTML = this._pins.map((p) => `${p.end > p.time ? `<span class="sp-pin-span"
        data-category="${esc(p.category)}" style="left:${clamp(p.time / total, 0, 1) * 100}%;
        width:${(clamp(p.end / total, 0, 1) - clamp(p.time / total, 0, 1)) * 100}%"></span>` : ''}<button class="sp-pin"
        data-id="${esc(p.id)}" data-category="${esc(p.category)}" style="left:${clamp(p.time / total, 0, 1) * 100}%"
        title="${esc(`${timecode(p.time)}${p.end > p.time ? `–${timecode(p.end)}` : ''} · ${p.label || ''}`)}"></button>`).join('');
      // Proposed notes (QC findings) sit under the track, so they never hide or mimic a pinned note.
      this._ui('.sp-proposals').innerHTML = this._proposals.map((p) => `<button class="sp-proposal"
        data-id="${esc(p.id)}" data-kind="${esc(p.kind)}" style="left:${clamp(p.time / total, 0, 1) * 100}%"
        title="${esc(`${timecode(p.time)} · proposed · ${p.label || ''}`)}"></button>`).join('');
    }

    _renderChapters() {
      const box = this._ui('.sp-chapter-row');
      const total = this.duration || 1;
      this._ui('.sp-chapters').hidden = !this._chapters.length;
      box.innerHTML = this._chapters.map((c, i) => `<button type="button" class="sp-chapter" data-index="${i}"
        style="left:${clamp(c.start / total, 0, 1) * 100}%;width:${clamp(c.duration / total, 0, 1) * 100}%"
        title="${esc(`${c.title} · ${timecode(c.start)}`)}"><span>${esc(c.title)}</span></button>`).join('');
      if (!box.dataset.bound) {
        box.dataset.bound = '1';
        box.addEventListener('click', (e) => {
          const button = e.target.closest('.sp-chapter');
          if (button) this.seek(this._chapters[Number(button.dataset.index)].start);
        });
      }
      this._chapterAt = -1;
      this._markChapter(this._clock());
    }

    /** The chapter under the playhead (binary search: a film has many), marked and announced on change. */
    _markChapter(t) {
      const list = this._chapters;
      if (!list.length) return;
      let lo = 0;
      let hi = list.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (list[mid].start <= t + 1e-6) lo = mid; else hi = mid - 1;
      }
      if (lo === this._chapterAt) return;
      const box = this._ui('.sp-chapter-row');
      const old = box.querySelector('.sp-chapter.sp-current');
      if (old) old.classList.remove('sp-current');
      const now = box.querySelector(`.sp-chapter[data-index="${lo}"]`);
      if (now) now.classList.add('sp-current');
      this._chapterAt = lo;
      this._emit('chapterchange', { index: lo, chapter: { ...list[lo] } });
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

    _renderTime() {
      const t = this._clock();
      const total = this.duration || 1;
      this._ui('.sp-playhead').style.left = `${clamp(t / total, 0, 1) * 100}%`;
      this._ui('.sp-tc-scene').textContent = timecode(t);
      const shot = this._shots[this._active];
      const local = shot ? clamp(t - shot.start, 0, shot.duration) : 0;
      this._ui('.sp-tc-shot').textContent = timecode(local);
      this._ui('.sp-track').setAttribute('aria-valuenow', t.toFixed(3));
      this._markChapter(t);
    }
  };
}
