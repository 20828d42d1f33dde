// Routing per note: each open note offers "Send to its stage"; a note with no route yet offers a stage to
// choose (the choice and the routing can be one step). The statement comes back with the route and is shown
// in the route box (review.js showRoute), and again after a reload.
import { EVENTS, on } from './kit/events.js';
import { api } from './kit/api.js';
import { refuse } from './kit/feedback.js';
import { can, el } from './kit/html.js';

/** Starts routing notes to stages; `review` is review.js's handle. */
export function startReviewRoutes(review) {
  const root = document.getElementById('review');
  if (!root || !review || !can('route')) return;
  const sceneId = Number(root.dataset.sceneId);
  const STAGES = {7: 'Stage 7 Shot List', 8: 'Stage 8 Visuals', 9: 'Stage 9 Prompts', 10: 'Stage 10 Frames'};

  function decorate(issues) {
    for (const li of document.querySelectorAll('#issue-list .issue')) {
      const issue = issues.find((i) => i.id === Number(li.dataset.id));
      if (!issue || issue.status !== 'open' || li.querySelector('.note-route')) continue;
      const row = el('div', {class: 'note-route'});
      if (issue.stage == null) {
        const pick = el('select', {class: 'note-route-stage', 'aria-label': 'Stage for this note'},
          el('option', {value: '', text: 'Choose a stage…'}),
          Object.entries(STAGES).map(([n, t]) => el('option', {value: n, text: t})));
        row.append(pick, el('button', {class: 'btn btn-small note-route-send', type: 'button', text: 'Route this note'}));
      } else {
        row.append(el('button', {class: 'btn btn-small note-route-send', type: 'button',
                                   text: `Route this note to ${STAGES[issue.stage]}`}));
      }
      li.querySelector('.issue-body').append(row);
    }
  }
  on(EVENTS.ISSUES_RENDERED, ({ issues }) => decorate(issues));

  document.getElementById('issue-list').addEventListener('click', async (e) => {
    const send = e.target.closest('.note-route-send');
    if (!send) return;
    const li = send.closest('.issue');
    const pick = li.querySelector('.note-route-stage');
    if (pick && !pick.value) { refuse(pick, 'Choose the stage that fixes this note', {revert: false}); return; }
    send.disabled = true;
    try {
      const body = {issue_ids: [Number(li.dataset.id)], ...(pick ? {stage: Number(pick.value)} : {})};
      const route = await api('POST', `/api/scenes/${sceneId}/route`, body);
      review.showRoute(route);
      await review.reloadIssues();
    } catch (err) {
      send.disabled = false;
      refuse(send, err.message, {revert: false});
    }
  });
}
