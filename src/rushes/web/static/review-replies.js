// Threads under review notes: open a note's replies, read them, answer in place. Members who may
// pin notes reply under their email; a guest whose link allows notes replies under their own name.
import { EVENTS, on } from './kit/events.js';
import { api } from './kit/api.js';
import { refuse } from './kit/feedback.js';
import { can, esc } from './kit/html.js';

export function startReviewReplies() {
  const list = document.getElementById('issue-list');
  if (!list) return;
  const mayReply = can('note');
  const opened = new Set();  // notes whose thread is open survive the list being redrawn
  const when = (iso) => new Date(iso).toLocaleString([], {dateStyle: 'medium', timeStyle: 'short'});
  const label = (n) => (n ? `${n} repl${n === 1 ? 'y' : 'ies'}` : 'Reply');

  function form() {
    return mayReply ? `<form class="reply-form" data-refusal-scope>
        <textarea class="reply-text" rows="2" maxlength="2000" placeholder="Reply to this note…" aria-label="Reply"></textarea>
        <button class="btn small reply-send" type="submit">Reply</button></form>` : '';
  }

  async function show(li) {
    const id = Number(li.dataset.id);
    const box = li.querySelector('.issue-thread');
    const toggle = li.querySelector('.issue-reply');
    let replies;
    try { replies = await api('GET', `/api/issues/${id}/replies`); } catch (err) { box.textContent = err.message; return; }
    box.innerHTML = `<ol class="replies">${replies.map((r) => `<li class="reply">
        <div class="reply-head small"><strong class="reply-author">${esc(r.author)}</strong>
          <time class="muted" datetime="${esc(r.created_at)}">${esc(when(r.created_at))}</time></div>
        <div class="reply-body">${esc(r.body)}</div></li>`).join('')}</ol>${form()}`;
    box.classList.remove('hidden');
    toggle.setAttribute('aria-expanded', 'true');
    toggle.textContent = replies.length ? `Hide ${label(replies.length)}` : 'Close';
    opened.add(id);
  }

  function hide(li) {
    const id = Number(li.dataset.id);
    const box = li.querySelector('.issue-thread');
    box.classList.add('hidden'); box.innerHTML = '';
    const toggle = li.querySelector('.issue-reply');
    toggle.setAttribute('aria-expanded', 'false');
    toggle.textContent = label(Number(toggle.dataset.count || 0));
    opened.delete(id);
  }

  list.addEventListener('click', (e) => {
    const toggle = e.target.closest('.issue-reply');
    if (!toggle) return;
    const li = toggle.closest('.issue');
    if (opened.has(Number(li.dataset.id))) hide(li); else show(li);
  });

  list.addEventListener('submit', async (e) => {
    const replyForm = e.target.closest('.reply-form');
    if (!replyForm) return;
    e.preventDefault();
    const li = replyForm.closest('.issue');
    const text = replyForm.querySelector('.reply-text');
    if (!text.value.trim()) { refuse(text, 'Write the reply first.', {revert: false}); text.focus(); return; }
    const guestName = document.getElementById('guest-name');
    if (guestName && !guestName.value.trim()) { refuse(text, 'Tell us your name first (beside the note box).', {revert: false}); guestName.focus(); return; }
    const send = replyForm.querySelector('.reply-send'); send.disabled = true;
    try {
      await api('POST', `/api/issues/${li.dataset.id}/replies`,
        {body: text.value.trim(), ...(guestName ? {guest_name: guestName.value.trim()} : {})});
      const toggle = li.querySelector('.issue-reply');
      toggle.dataset.count = String(Number(toggle.dataset.count || 0) + 1);
      await show(li);
    } catch (err) { refuse(text, err.message, {revert: false}); } finally { send.disabled = false; }
  });

  // The notes list is redrawn on every change: open again the threads that were open.
  on(EVENTS.ISSUES_RENDERED, () => {
    list.querySelectorAll('.issue').forEach((li) => { if (opened.has(Number(li.dataset.id))) show(li); });
  });
}
