// Complete Scene on the review page: the in-page question says exactly what is being approved (take, shots,
// running time, the open notes it closes), and afterwards the page says what was approved, in place.
(() => {
  'use strict';
  const root = document.getElementById('review');
  const button = document.getElementById('complete-scene');
  if (!root || !button) return;
  const R = window.Rushes;
  const sceneId = Number(root.dataset.sceneId);
  const plural = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const secs = (s) => `${Number(s.toFixed(3))} s`;

  // The review page's own state (cut and notes) when review.js has started; the notes are fetched otherwise.
  async function openNotes() {
    const review = window.rushesReview;
    const issues = review && review.issues ? review.issues() : await R.api('GET', `/api/scenes/${sceneId}/issues`);
    return issues.filter((i) => i.status === 'open' || i.status === 'routed');
  }

  function approvalLines(cut, open) {
    const take = cut.take;
    const lines = [`You approve take ${take.number}: ${plural(cut.shots.length, 'shot')}, ${secs(cut.duration)}.`];
    if (open.length) {
      const list = R.el('ul', {class: 'approve-notes'},
        open.slice(0, 5).map((i) => R.el('li', {text: `${i.shot_code} · ${i.description}`})));
      lines.push(`${plural(open.length, 'open note')} will be closed as resolved:`, list);
      if (open.length > 5) lines.push(`…and ${open.length - 5} more.`);
    } else {
      lines.push('No notes are open.');
    }
    lines.push('The scene becomes Complete and this take’s last frame becomes its thumbnail on the Script Hub.');
    return lines;
  }

  function showApproved(result) {
    document.getElementById('approved-message')?.remove();
    const hub = R.el('a', {class: 'btn btn-small', href: result.url, id: 'back-to-hub', text: 'Back to the Script Hub →'});
    const note = R.el('div', {class: 'notice notice-ok approved-message', id: 'approved-message', role: 'status'},
      R.el('strong', {text: result.message}), ' ', hub);
    document.querySelector('.review-head').after(note);
    button.textContent = 'Completed';
    root.dataset.status = 'Complete';
  }

  button.addEventListener('click', async () => {
    const review = window.rushesReview;
    const cut = review ? review.cut : JSON.parse(document.getElementById('cut-data').textContent);
    if (!cut.take) return;
    let open;
    try { open = await openNotes(); } catch (err) { R.refuse(button, err.message, {revert: false}); return; }
    const yes = await R.ask({title: `Complete ${document.querySelector('.review-head h1').textContent.trim()}?`,
                             lines: approvalLines(cut, open), confirm: `Approve take ${cut.take.number}`,
                             cancel: 'Keep reviewing', id: 'complete-dialog'});
    if (!yes) return;
    button.disabled = true;
    try {
      const result = await R.api('POST', `/api/scenes/${sceneId}/complete`, {take_id: cut.take.id});
      showApproved(result);
      if (review && review.reloadIssues) review.reloadIssues();
      if (R.refreshRail) R.refreshRail().catch(() => {});
    } catch (err) {
      R.refuse(button, err.message, {revert: false});
    } finally {
      button.disabled = false;
    }
  });
})();
