// The review page's keys work page-wide, not only when the player has focus: J/K/L, the arrows, , and .,
// Home/End, [ ], / M F W go to the player from anywhere except a field being typed in (after clicking a shot in
// the list too), and N opens a note at the playhead. ↓ and Space never scroll the page here.
import { shortcuts } from './kit/keys.js';

export function startReviewKeys() {
  const root = document.getElementById('review');
  const player = document.getElementById('player');
  if (!root || !player) return;
  const PLAYER_KEYS = new Set(['j', 'k', 'l', ',', '.', '[', ']', '/', 'm', 'f', 'w', 'ArrowLeft', 'ArrowRight',
                               'ArrowUp', 'ArrowDown', 'Home', 'End']);
  const typing = (t) => t && (t.isContentEditable || (t.matches &&
    t.matches('input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select')));

  document.addEventListener('keydown', (e) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (document.querySelector('dialog[open]')) return;
    if (e.composedPath().includes(player)) return;  // the player answers its own keys
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === 'n') {
      e.preventDefault();
      player.pause();
      const text = document.getElementById('issue-text');
      if (text) text.focus({preventScroll: true});
      return;
    }
    if (!PLAYER_KEYS.has(key)) return;
    // Hand the key to the player as if it had focus; its handler prevents the page's scroll.
    e.preventDefault();
    player.dispatchEvent(new KeyboardEvent('keydown', {key: e.key, bubbles: false, cancelable: true}));
  });
  shortcuts('Review (anywhere outside a text field)', [['N', 'Write a note at the playhead'],
    ['Esc', 'Leave the note box (then the keys work again)']]);
  // Esc in the note box hands the keys back to the page.
  const text = document.getElementById('issue-text');
  if (text) text.addEventListener('keydown', (e) => { if (e.key === 'Escape') text.blur(); });
}
