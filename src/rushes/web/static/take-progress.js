// Live per-shot progress of a rendering take wherever a [data-take-progress] box stands (Script Hub rows).
import { shotStateLabel } from './app.js';
import * as attention from './attention.js';
import { api } from './kit/api.js';
import { ask, toast } from './kit/feedback.js';
import { can, esc } from './kit/html.js';

export function startTakeProgress() {

  function chips(take) {
    return take.shots.map((s) => `<span class="chip pstate-${s.state}${s.quota ? ' pstate-quota' : ''}" data-code="${esc(s.code)}"
      data-state="${s.state}" title="${esc(s.error || s.state)}">${esc(s.code)} · ${esc(shotStateLabel(s))}</span>`).join('');
  }

  function watch(box) {
    const takeId = box.dataset.takeProgress;
    async function tick() {
      let take;
      try { take = await (await fetch(`/api/takes/${takeId}`)).json(); } catch (e) { setTimeout(tick, 2000); return; }
      box.innerHTML = `<div class="chips">${chips(take)}</div>` +
        take.shots.map((s) => attention.buttons(s)).join('') + (take.finished || !can('cancel') ? '' :
        `<button class="btn btn-small cancel-take" type="button">Cancel render</button>`);
      const cancel = box.querySelector('.cancel-take');
      if (cancel) cancel.onclick = async () => {
        const yes = await ask({title: 'Cancel this render?', lines: ['Shots not yet sent to the renderer are refunded; a shot already rendering is kept and stays charged.'],
          confirm: 'Cancel render', cancel: 'Keep rendering', danger: true});
        if (!yes) return;
        try { await api('POST', `/api/takes/${takeId}/cancel`); } catch (err) { toast(err.message, 'error'); }
      };
      if (!take.finished) { setTimeout(tick, 1000); return; }
      const row = box.closest('tr, .scene-row');
      const status = row && row.querySelector('[data-status]');
      if (status) {
        const failed = take.failed.length;
        const link = document.createElement('a');
        link.className = `status status-${failed ? 'warn' : 'ok'}`;
        link.dataset.status = 'Ready for Review';
        link.href = `/scenes/${box.dataset.sceneId}/review`;
        link.textContent = 'Ready for Review ›';
        status.replaceWith(link);
      }
    }
    attention.wire(box);
    tick();
  }
  document.querySelectorAll('[data-take-progress]').forEach(watch);
}
