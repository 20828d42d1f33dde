// Complete Scene on the review page: the in-page question says exactly what is being approved (take, shots,
// running time, and what becomes of the open notes: carried or won't fix, never silently resolved), and afterwards the page says what was approved, in place.
import { refreshRail } from './app.js';
import { api } from './kit/api.js';
import { ask, refuse } from './kit/feedback.js';
import { el } from './kit/html.js';

/** Starts scene completion; `review` is review.js's handle (its cut and notes), null without one. */
export function startReviewComplete(review) {
  const root = document.getElementById('review');
  const button = document.getElementById('complete-scene');
  if (!root || !button) return;
  const sceneId = Number(root.dataset.sceneId);
  const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const secs = (s) => `${Number(s.toFixed(3))} s`;

  // The review page's own state (cut and notes) when review.js has started; the notes are fetched otherwise.
  async function openNotes() {
    const issues = review && review.issues ? review.issues() : await api('GET', `/api/scenes/${sceneId}/issues`);
    return issues.filter((i) => i.status === 'open' || i.status === 'routed');
  }

  let decision;  // the answer about the open notes, read off the question before it closes
  function approvalLines(cut, open) {
    decision = undefined;
    const take = cut.take;
    const lines = [`You approve take ${take.number}: ${plural(cut.shots.length, 'shot')}, ${secs(cut.duration)}.`];
    if (open.length) {
      const list = el('ul', {class: 'approve-notes'},
        open.slice(0, 5).map((i) => el('li', {text: `${i.shot_code} · ${i.description}`})));
      lines.push(`${plural(open.length, 'note')} still open:`, list);
      if (open.length > 5) lines.push(`…and ${open.length - 5} more.`);
      // Unfixed notes are never marked resolved: the filmmaker says what becomes of them.
      const choice = (value, text, checked) => el('label', {class: 'open-notes-choice'},
        el('input', {type: 'radio', name: 'open-notes', value, ...(checked ? {checked: ''} : {})}), ' ', text);
      const choices = el('fieldset', {class: 'open-notes-choices', id: 'open-notes-choices'},
        el('legend', {text: 'What becomes of them?'}),
        choice('carry', 'Carry them: they stay open on the approved take', true),
        choice('wont_fix', 'Mark them won’t fix', false));
      decision = 'carry';
      choices.addEventListener('change', (e) => { decision = e.target.value; });
      lines.push(choices);
    } else {
      lines.push('No notes are open.');
    }
    lines.push('The scene becomes Complete and this take’s last frame becomes its thumbnail on the Script Hub.');
    return lines;
  }

  function showApproved(result) {
    document.getElementById('approved-message')?.remove();
    const hub = el('a', {class: 'btn btn-small', href: result.url, id: 'back-to-hub', text: 'Back to the Script Hub →'});
    const note = el('div', {class: 'notice notice-ok approved-message', id: 'approved-message', role: 'status'},
      el('strong', {text: result.message}), ' ', hub);
    document.querySelector('.review-head').after(note);
    button.textContent = 'Completed';
    root.dataset.status = 'Complete';
  }

  button.addEventListener('click', async () => {
    const cut = review ? review.cut : JSON.parse(document.getElementById('cut-data').textContent);
    if (!cut.take) return;
    let open;
    try { open = await openNotes(); } catch (err) { refuse(button, err.message, {revert: false}); return; }
    const yes = await ask({title: `Complete ${document.querySelector('.review-head h1').textContent.trim()}?`,
                             lines: approvalLines(cut, open), confirm: `Approve take ${cut.take.number}`,
                             cancel: 'Keep reviewing', id: 'complete-dialog'});
    if (!yes) return;
    button.disabled = true;
    try {
      const result = await api('POST', `/api/scenes/${sceneId}/complete`, {take_id: cut.take.id, open_notes: decision});
      showApproved(result);
      if (review && review.reloadIssues) review.reloadIssues();
      refreshRail().catch(() => {});
    } catch (err) {
      refuse(button, err.message, {revert: false});
    } finally {
      button.disabled = false;
    }
  });
}
