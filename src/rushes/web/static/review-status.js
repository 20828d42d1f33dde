// A note's status by hand: resolve it, mark it won't fix, or reopen it. Routing and re-rendering set
// routed and addressed; the server refuses any other move and says which ones it allows.
(() => {
  'use strict';
  const list = document.getElementById('issue-list');
  const R = window.Rushes;
  if (!list || !R.can('triage')) return;
  const MOVES = {open: ['resolved', 'wont_fix'], routed: ['resolved', 'wont_fix', 'open'],
                 addressed: ['resolved', 'wont_fix', 'open'], resolved: ['open'], wont_fix: ['open']};
  const WORDS = {resolved: 'Resolve', wont_fix: 'Won\'t fix', open: 'Reopen'};

  document.addEventListener('rushes:issues-rendered', () => {
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
      await R.api('PATCH', `/api/issues/${li.dataset.id}`, {status: b.dataset.to});
      document.dispatchEvent(new CustomEvent('rushes:notes-changed'));
    } catch (err) { R.refuse(li.querySelector('.issue-body'), err.message); b.disabled = false; }
  });
})();
