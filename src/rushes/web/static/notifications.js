// Toasts for finished renders on every page (server-sent events), and the bell's unread count.
(() => {
  'use strict';
  if (!window.EventSource) return;
  const box = document.getElementById('toasts');
  const bell = document.querySelector('#notif-bell .bell-count');
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  function toast(note) {
    if (!box) return;
    const el = document.createElement('a');
    el.className = `toast toast-${note.kind}`;
    el.href = note.url;
    el.dataset.notificationId = note.id;
    el.dataset.sceneId = note.scene_id;
    el.innerHTML = `<strong>${esc(note.title)}</strong><span>${esc(note.body)}</span><em>Open review →</em>`;
    box.appendChild(el);
    setTimeout(() => el.classList.add('toast-old'), 15000);
  }
  function bump() {
    if (!bell) return;
    const n = Number(bell.dataset.unread || 0) + 1;
    bell.dataset.unread = String(n); bell.textContent = String(n); bell.classList.remove('hidden');
  }
  const source = new EventSource('/api/events');
  source.addEventListener('notification', (e) => {
    const note = JSON.parse(e.data);
    toast(note); bump();
    document.dispatchEvent(new CustomEvent('rushes:notification', {detail: note}));
  });
  window.addEventListener('beforeunload', () => source.close());
})();
