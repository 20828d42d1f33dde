// In and out frames for a note: I marks the in frame, O the out frame, X clears both, N writes the
// note. Pinning sends the marked frames (or the frame on screen); the marks clear once a note is pinned.
import { EVENTS, on } from './kit/events.js';
import { shortcuts } from './kit/keys.js';
import { FPS, framesTimecode as tc } from './kit/timecode.js';

/** Starts in/out marks for notes; they join the note `review` (review.js's handle) pins. */
export function startReviewRange(review) {
  const root = document.getElementById('review');
  const player = document.getElementById('player');
  const at = document.querySelector('.pin-at');
  if (!root || !player || !at || !review) return null;
  const frameNow = () => Math.round(player.currentTime * FPS + 1e-6);
  const marks = {in: null, out: null};

  const chip = document.createElement('span');
  chip.className = 'note-range hidden';
  chip.id = 'note-range';
  chip.innerHTML = '<span class="note-range-text"></span> <button type="button" class="link small" id="note-range-clear" title="Clear in and out (X)">clear</button>';
  at.after(chip);

  function show() {
    const text = chip.querySelector('.note-range-text');
    if (marks.in == null && marks.out == null) { chip.classList.add('hidden'); return; }
    chip.classList.remove('hidden');
    const inside = marks.in != null ? tc(marks.in) : 'playhead';
    text.textContent = marks.out != null ? `Range ${inside} – ${tc(marks.out)} (${marks.out - (marks.in ?? marks.out) + 1} frames)`
                                         : `In ${inside}`;
  }
  function clear() { marks.in = null; marks.out = null; show(); }

  function mark(which) {
    const f = frameNow();
    marks[which] = f;
    // An out before the in (or an in after the out) swaps them: the range always runs forwards.
    if (marks.in != null && marks.out != null && marks.out < marks.in) [marks.in, marks.out] = [marks.out, marks.in];
    show();
  }

  // What the pin request carries: the in frame (or the frame on screen) and, for a range, its out frame.
  const noteRange = () => {
    const from = marks.in ?? frameNow();
    const range = {frame: from};
    if (marks.out != null && marks.out > from) range.out_frame = marks.out;
    return range;
  };

  const typing = (t) => t && (t.isContentEditable || (t.matches && t.matches('input:not([type=checkbox]):not([type=radio]), textarea, select')));
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const key = e.key.toLowerCase();
    if (key === 'i') { e.preventDefault(); mark('in'); } else if (key === 'o') { e.preventDefault(); mark('out'); } else if (key === 'x') { e.preventDefault(); clear(); }
  });
  chip.querySelector('#note-range-clear').addEventListener('click', clear);
  on(EVENTS.NOTE_PINNED, clear);
  shortcuts('Notes', [['I', 'Mark the note\'s in frame'], ['O', 'Mark its out frame (a range note)'], ['X', 'Clear in and out'],
    ['N', 'Write a note at the playhead']]);
  review.addToPin(noteRange);
  return {noteRange};
}
