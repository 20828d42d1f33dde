// A note's status by hand: resolve it, mark it won't fix, or reopen it. Routing and re-rendering set
// routed and addressed; the server refuses any other move and says which ones it allows.
import { EVENTS, emit, on } from './kit/events.js';
import { api } from './kit/api.js';
import { refuse } from './kit/feedback.js';
import { can } from './kit/html.js';

export function startReviewStatus() {
  const list = document.getElementById('issue-list');
  if (!list || !can('triage')) return;
  const MOVES = {open: ['resolved', 'wont_fix'], routed: ['resolved', 'wont_fix', 'open'],
                 addressed: ['resolved', 'wont_fix', 'open'], resolved: ['open'], wont_fix: ['open']};
  const WORDS = {resolved: 'Resolve', wont_fix: 'Won\'t fix', open: 'Reopen'};

  on(EVENTS.ISSUES_RENDERED, () => {
    list.querySelectorAll('.issue').forEach((li) => {
      const actions = li.querySelector('.issue-actions');
      if (!actions || actions.querySelector('.status-move')) return;
      (MOVES[li.dataset.status] || []).forEach((to) => {
        const b = document.createElement('button');
        b.type = 'button'; b.className = 'icon-btn status-move'; b.dataset.to = to; b.textContent = WORDS[to];
        actions.prepend(b);
      });
    });
  });

  list.addEventListener('click', async (e) => {
    const b = e.target.closest('.status-move');
    if (!b) return;
    const li = b.closest('.issue');
    b.disabled = true;
    try {
      await api('PATCH', `/api/issues/${li.dataset.id}`, {status: b.dataset.to});
      emit(EVENTS.NOTES_CHANGED);
    } catch (err) { refuse(li.querySelector('.issue-body'), err.message); b.disabled = false; }
  });
}
