// Render notifications on every page: a toast per finished take (server-sent events), and the bell's list.
(() => {
  'use strict';
  const box = document.getElementById('toasts');
  const bell = document.getElementById('notif-bell');
  const count = bell && bell.querySelector('.bell-count');
  const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  function setUnread(n) {
    if (!count) return;
    count.dataset.unread = String(n); count.textContent = String(n); count.classList.toggle('hidden', n === 0);
  }
  function toast(note) {
    if (!box) return;
    const el = document.createElement('a');
    el.className = `toast render ${note.kind}`;
    el.href = note.url;
    el.dataset.notificationId = note.id;
    el.dataset.sceneId = note.scene_id;
    el.innerHTML = `<strong>${esc(note.title)}</strong><span>${esc(note.body)}</span><em>Open the review →</em>`;
    box.appendChild(el);
  }
  if (window.EventSource) {
    const source = new EventSource('/api/events');
    source.addEventListener('notification', (e) => {
      const note = JSON.parse(e.data);
      toast(note);
      setUnread(Number((count && count.dataset.unread) || 0) + 1);
      document.dispatchEvent(new CustomEvent('rushes:notification', {detail: note}));
    });
    window.addEventListener('pagehide', () => source.close());
  }

  let panel = null;
  async function openPanel() {
    const data = await window.Rushes.api('GET', '/api/notifications');
    setUnread(data.unread);
    panel = document.createElement('div');
    panel.className = 'notif-panel';
    panel.id = 'notif-panel';
    panel.innerHTML = `<h3>Notifications · ${data.unread} unread</h3>` + (data.items.length ? data.items.map((n) =>
      `<a class="notif-item${n.read ? '' : ' unread'}" href="${esc(n.url)}" data-id="${n.id}"><strong>${esc(n.title)}</strong>
       ${esc(n.body)}<br><small>${new Date(n.created_at.endsWith('Z') || n.created_at.includes('+') ? n.created_at : n.created_at + 'Z').toLocaleString()}</small></a>`).join('')
      : '<div class="notif-empty">No renders have finished yet.</div>');
    document.body.appendChild(panel);
  }
  if (bell) {
    bell.addEventListener('click', (e) => {
      e.preventDefault();
      if (panel) { panel.remove(); panel = null; } else { openPanel(); }
    });
    document.addEventListener('click', (e) => {
      if (panel && !panel.contains(e.target) && !bell.contains(e.target)) { panel.remove(); panel = null; }
    });
  }
})();
