// Render notifications on every page: a toast per finished take (server-sent events), and the bell's list.
import { api } from './kit/api.js';
import { closable } from './kit/feedback.js';
import { EVENTS, emit } from './kit/events.js';
import { esc } from './kit/html.js';

export function listenForNotifications() {
  const box = document.getElementById('toasts');
  const bell = document.getElementById('notif-bell');
  const count = bell && bell.querySelector('.bell-count');

  // Every open page shows the same unread count: a change here is told to the others, and a page that comes
  // back into view asks the server (the review page marks its scene's notes read when it opens).
  const channel = window.BroadcastChannel ? new BroadcastChannel('rushes-bell') : null;
  function setUnread(n, tell = true) {
    if (!count) return;
    count.dataset.unread = String(n); count.textContent = String(n); count.classList.toggle('hidden', n === 0);
    if (tell && channel) channel.postMessage({unread: n});
  }
  if (channel) channel.onmessage = (e) => setUnread(Number(e.data.unread) || 0, false);
  async function syncUnread() {
    try { setUnread((await api('GET', '/api/notifications')).unread); } catch (err) { /* offline: keep */ }
  }
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncUnread(); });
  if (count) syncUnread();
  // A toast never covers the page it points to: there it is read at once instead.
  // (The same review showing another take is not "here": that take is news.)
  const here = (url) => {
    try {
      const u = new URL(url, location.href);
      if (u.pathname !== location.pathname) return false;
      const review = document.getElementById('review');
      const take = u.searchParams.get('take');
      return !take || !review || !review.dataset.takeId || review.dataset.takeId === take;
    } catch (err) { return false; }
  };
  function toast(note) {
    if (!box) return;
    const el = document.createElement('a');
    el.className = `toast render ${note.kind}`;
    el.href = note.url;
    el.dataset.notificationId = note.id;
    el.dataset.sceneId = note.scene_id;
    el.innerHTML = `<strong>${esc(note.title)}</strong><span>${esc(note.body)}</span><em>Open the review →</em>`;
    closable(el);
    box.appendChild(el);
  }
  if (window.EventSource) {
    const source = new EventSource('/api/events');
    source.addEventListener('notification', (e) => {
      const note = JSON.parse(e.data);
      if (here(note.url)) {
        api('POST', `/api/notifications/${note.id}/read`).then(syncUnread).catch(() => {});
      } else {
        toast(note);
        setUnread(Number((count && count.dataset.unread) || 0) + 1);
      }
      emit(EVENTS.NOTIFICATION, note);
    });
    window.addEventListener('pagehide', () => source.close());
  }

  let panel = null;
  async function openPanel() {
    const data = await api('GET', '/api/notifications');
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
}
