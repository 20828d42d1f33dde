// The keyboard on every page: Space plays/pauses the page's player from anywhere outside a text field,
// and "?" opens a sheet listing every key; a page part adds its own keys with shortcuts().
import { el } from './html.js';

const SHORTCUTS = [];

/** Lists `keys` ([[key, what it does], …]) under `group` on the "?" sheet. */
export function shortcuts(group, keys) { SHORTCUTS.push({ group, keys }); }

const typing = (t) => t && (t.isContentEditable || (t.matches && t.matches('input:not([type=checkbox]):not([type=radio]):not([type=button]), textarea, select')));

shortcuts('Anywhere', [['?', 'Show this sheet of shortcuts'], ['Esc', 'Close a sheet or question']]);
if (document.querySelector('scene-player')) {
  shortcuts('Player (Space works anywhere outside a text field)', [
    ['Space', 'Play / pause'], ['J / K / L', 'Shuttle back / stop / forward'], [', / .  or ← / →', 'One frame back / forward'],
    ['↑ / ↓  or [ / ]', 'Previous / next shot'], ['Home / End', 'Start / end of the scene'],
    ['/', 'Loop the current shot'], ['M', 'Mute'], ['F', 'Full screen'], ['W', 'Sound waveform on the timeline'],
  ]);
}

/** Opens the sheet of shortcuts, or closes it when it is open. */
export function showShortcuts() {
  const existing = document.getElementById('shortcut-sheet');
  if (existing) { existing.close(); existing.remove(); return; }
  const list = SHORTCUTS.map(({ group, keys }) => el('section', {},
    el('h3', { text: group }),
    el('dl', {}, keys.map(([k, what]) => [el('dt', {}, el('kbd', { text: k })), el('dd', { text: what })]))));
  const close = el('button', { class: 'btn', type: 'button', text: 'Close' });
  const sheet = el('dialog', { class: 'ask shortcut-sheet', id: 'shortcut-sheet', 'aria-label': 'Keyboard shortcuts' },
    el('h2', { text: 'Keyboard shortcuts' }), ...list, el('div', { class: 'ask-buttons' }, close));
  document.body.append(sheet);
  close.addEventListener('click', () => { sheet.close(); sheet.remove(); });
  sheet.addEventListener('close', () => sheet.remove());
  sheet.showModal();
}

/** Installs the page-wide keys (once, from the common entry). */
export function listenForKeys() {
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === '?') { e.preventDefault(); showShortcuts(); return; }
    if (e.key === ' ' && !document.querySelector('dialog[open]')) {
      const player = document.querySelector('scene-player');
      // The player handles its own keys when it has focus; elsewhere Space would scroll or press a button.
      if (!player || player.contains(e.target) || e.composedPath().includes(player)) return;
      e.preventDefault();
      if (player.paused) player.play(); else player.pause();
    }
  });
}
