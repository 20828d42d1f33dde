// Review page, "Share…": guest review links for this scene. A link is made with POST /api/scenes/{id}/share
// (its URL is answered once: only a digest is stored, so the dialog shows it to copy right away), listed
// with GET /api/scenes/{id}/shares, and revoked with DELETE /api/shares/{id}. Owners and editors only.
import { api } from './kit/api.js';
import { toast } from './kit/feedback.js';
import { el } from './kit/html.js';

export function startShare() {
  const dialog = document.getElementById('share-dialog');
  const open = document.getElementById('share-open');
  if (!dialog || !open) return;
  const sceneId = dialog.dataset.sceneId;
  const $ = (id) => document.getElementById(id);
  const when = (iso) => (iso ? new Date(iso).toLocaleString() : 'never');

  function row(link) {
    const state = link.revoked ? 'revoked' : link.active ? 'live' : 'expired';
    const item = el('li', { class: `share-link share-${state}`, 'data-share-id': String(link.id), 'data-state': state },
      el('span', { class: `pill ${state === 'live' ? 'pill-ok' : 'pill-muted'}`, text: state }),
      el('span', { class: 'small', text: `#${link.id} · ${link.allow_notes ? 'watch and note' : 'watch only'}` }),
      el('span', { class: 'muted small', text: `made ${when(link.created_at)} · expires ${when(link.expires_at)}` }));
    if (state === 'live') {
      const revoke = el('button', { class: 'btn btn-small share-revoke', type: 'button', text: 'Revoke' });
      revoke.addEventListener('click', async () => {
        revoke.disabled = true;
        try { await api('DELETE', `/api/shares/${link.id}`); await list(); } catch (err) { $('share-error').textContent = err.message; revoke.disabled = false; }
      });
      item.append(revoke);
    }
    return item;
  }

  async function list() {
    const links = await api('GET', `/api/scenes/${sceneId}/shares`);
    $('share-list').replaceChildren(...(links.length ? links.map(row) : [el('li', { class: 'muted small', text: 'No links yet.' })]));
  }

  open.addEventListener('click', () => {
    $('share-error').textContent = '';
    dialog.showModal();
    list().catch((err) => { $('share-error').textContent = err.message; });
  });
  $('share-close').addEventListener('click', () => dialog.close());
  $('share-create').addEventListener('click', async () => {
    const button = $('share-create');
    const hours = $('share-expiry').value;
    $('share-error').textContent = '';
    button.disabled = true;
    try {
      const made = await api('POST', `/api/scenes/${sceneId}/share`,
        { allow_notes: $('share-notes').checked, expires_in_hours: hours ? Number(hours) : null });
      $('share-url').value = made.url;
      $('share-made').hidden = false;
      $('share-url').select();
      await list();
    } catch (err) { $('share-error').textContent = err.message; } finally { button.disabled = false; }
  });
  $('share-copy').addEventListener('click', async () => {
    $('share-url').select();
    try { await navigator.clipboard.writeText($('share-url').value); toast('Link copied', 'ok', 2000); }
    catch { toast('Copy it from the field (the browser refused the clipboard)', 'info', 4000); }
  });
}
