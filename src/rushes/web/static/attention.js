// A job whose submit went unconfirmed ("attention") is actionable where its progress shows:
// Resubmit (Rushes charges nothing more, but the provider may bill the render twice) or
// Abandon (refunded). Used by the review page's progress panel and the Script Hub rows.
import { api } from './kit/api.js';
import { ask, toast } from './kit/feedback.js';
import { can, esc } from './kit/html.js';

/** The Resubmit / Abandon buttons for a shot whose job needs attention ('' when it does not). */
export function buttons(shot) {
  const job = shot.job;
  const resubmit = can('spend');
  const abandon = can('cancel');
  if (!job || shot.state !== 'attention' || !(resubmit || abandon)) return '';
  const cost = job.cost_credits || 0;
  return `<span class="attention-actions" data-job-id="${job.id}">
    ${resubmit ? `<button class="btn btn-small attention-resubmit" type="button" data-job-id="${job.id}" data-cost="${cost}"
      title="Send it again. Rushes charges nothing more; if the first send reached the provider, it bills this render twice.">
      Resubmit ${esc(shot.code)} · may cost ${cost} credits more at the provider</button>` : ''}
    ${abandon ? `<button class="btn btn-small attention-abandon" type="button" data-job-id="${job.id}" data-cost="${cost}"
      title="Give up on this shot and get its credits back.">Abandon ${esc(shot.code)} · refund ${cost} credits</button>` : ''}
  </span>`;
}

async function act(button, action, onDone) {
  const cost = button.dataset.cost;
  const question = action === 'resubmit'
    ? {title: 'Resubmit this shot?', confirm: 'Resubmit', lines: [`Rushes charges nothing more, but if the first submit reached the provider it bills this render twice (up to ${cost} credits more there).`]}
    : {title: 'Abandon this shot?', confirm: `Abandon · refund ${cost}`, danger: true, lines: [`Its ${cost} credits are refunded and it will not render in this take.`]};
  if (!(await ask({...question, cancel: 'Keep waiting', id: 'attention-ask'}))) return;
  button.disabled = true;
  try {
    await api('POST', `/api/jobs/${button.dataset.jobId}/${action}`);
    toast(action === 'resubmit' ? 'Resubmitted' : `Abandoned: ${cost} credits refunded`, 'info');
  } catch (err) {
    toast(err.message || String(err), 'error');
    button.disabled = false;
  }
  if (onDone) onDone();
}

// Delegated, so the buttons keep working when a poll redraws the box they sit in.
export function wire(container, onDone) {
  container.addEventListener('click', (event) => {
    const button = event.target.closest('.attention-resubmit, .attention-abandon');
    if (!button || !container.contains(button) || button.disabled) return;
    act(button, button.classList.contains('attention-resubmit') ? 'resubmit' : 'abandon', onDone);
  });
}
