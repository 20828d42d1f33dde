// Filters for the notes panel: by status, stage, shot and author. They read the rendered list (each
// note carries its data-* fields), so they follow every redraw without a request of their own.
import { EVENTS, on } from './kit/events.js';

export function startReviewFilters() {
  const list = document.getElementById('issue-list');
  const head = document.querySelector('.issues-head');
  if (!list || !head) return;
  const FIELDS = [['status', 'Status'], ['stage', 'Stage'], ['shot', 'Shot'], ['author', 'Author']];
  const STATUS = {open: 'open', routed: 'routed', addressed: 'addressed', resolved: 'resolved', wont_fix: 'won\'t fix'};
  const STAGE = {7: '7 Shot list', 8: '8 Visual definition', 9: '9 Prompts', 10: '10 Frames'};
  const chosen = {status: '', stage: '', shot: '', author: ''};

  const bar = document.createElement('div');
  bar.className = 'issue-filters';
  bar.id = 'issue-filters';
  bar.setAttribute('role', 'group');
  bar.setAttribute('aria-label', 'Filter notes');
  bar.innerHTML = FIELDS.map(([name, label]) => `<label class="small">${label}
      <select data-filter="${name}"><option value="">all</option></select></label>`).join('')
    + '<span class="muted small" id="issue-filter-count"></span>';
  head.after(bar);

  const nameOf = (field, value) => (field === 'status' ? STATUS[value] || value : field === 'stage' ? STAGE[value] || value : value || '—');

  function refresh() {
    const items = [...list.querySelectorAll('.issue')];
    FIELDS.forEach(([field]) => {
      const select = bar.querySelector(`[data-filter="${field}"]`);
      const values = [...new Set(items.map((li) => li.dataset[field] || ''))].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}));
      if (chosen[field] && !values.includes(chosen[field])) values.push(chosen[field]);
      select.innerHTML = '<option value="">all</option>' + values.map((v) => {
        const o = document.createElement('option'); o.value = v; o.textContent = nameOf(field, v); o.selected = v === chosen[field];
        return o.outerHTML;
      }).join('');
    });
    let shown = 0;
    items.forEach((li) => {
      const keep = FIELDS.every(([field]) => !chosen[field] || (li.dataset[field] || '') === chosen[field]);
      li.classList.toggle('filtered-out', !keep);
      if (keep) shown += 1;
    });
    const any = FIELDS.some(([field]) => chosen[field]);
    document.getElementById('issue-filter-count').textContent = any ? `${shown} of ${items.length} shown` : '';
  }

  bar.addEventListener('change', (e) => {
    const select = e.target.closest('[data-filter]');
    if (!select) return;
    chosen[select.dataset.filter] = select.value;
    refresh();
  });
  on(EVENTS.ISSUES_RENDERED, refresh);
}
