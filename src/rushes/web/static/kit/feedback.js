// Feedback in place, shared by every page: toasts, in-page questions instead of confirm()/alert(), and
// refused values that snap back to what is stored with the reason beside the field.
import { ApiError, message } from './api.js';
import { EVENTS, emit } from './events.js';
import { el } from './html.js';

/** Every toast has a close button (a toast is never in the way of what it sits over). */
export function closable(node) {
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Close');
  close.title = 'Close';
  close.textContent = '×';
  close.addEventListener('click', (e) => { e.preventDefault(); e.stopPropagation(); node.remove(); });
  node.appendChild(close);
  return node;
}

/** A short message in the page's corner; `kind` info | ok | error. */
export function toast(text, kind = 'info', ms = 5000) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const node = document.createElement('div');
  node.className = `toast ${kind}`;
  node.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  node.textContent = text;
  closable(node);
  box.appendChild(node);
  setTimeout(() => node.remove(), ms);
}

/** A question in one <dialog>: a promise of the answer (true = confirm). `lines` are plain strings or nodes. */
export function ask({ title, lines = [], confirm = 'OK', cancel = 'Cancel', danger = false, id = 'ask-dialog' }) {
  document.getElementById(id)?.remove();
  const yes = el('button', { class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, type: 'button', 'data-answer': 'yes', text: confirm });
  const no = el('button', { class: 'btn', type: 'button', 'data-answer': 'no', text: cancel });
  const dialog = el('dialog', { class: 'ask', id, 'aria-labelledby': `${id}-title` },
    el('h2', { id: `${id}-title`, text: title }),
    ...lines.map((line) => (typeof line === 'string' ? el('p', { text: line }) : line)),
    el('div', { class: 'ask-buttons' }, no, yes));
  document.body.append(dialog);
  return new Promise((resolve) => {
    const done = (answer) => { dialog.close(); dialog.remove(); resolve(answer); };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    dialog.showModal();
    yes.focus();
  });
}

function stored(input) {
  if (input.type === 'checkbox') return input.dataset.stored !== undefined ? input.dataset.stored === 'true' : input.defaultChecked;
  return input.dataset.stored !== undefined ? input.dataset.stored : input.defaultValue;
}

/** Records `value` as what the server holds for `input` (a later refusal reverts to it). */
export function remember(input, value = input.type === 'checkbox' ? input.checked : input.value) {
  input.dataset.stored = String(value);
  if (input.type !== 'checkbox' && input.value !== String(value)) input.value = String(value);
}

function slotFor(scope) {
  if (scope.matches('.field-error')) return scope;
  let slot = scope.querySelector('.field-error');
  if (!slot) { slot = el('span', { class: 'field-error', role: 'alert' }); scope.append(slot); }
  return slot;
}

/**
 * Says why `what` was refused, beside it. `what` is an input/textarea/select (its value reverts to the stored
 * one unless revert is false) or any element (the reason goes in its scope).
 */
export function refuse(what, reason, { revert = true } = {}) {
  const isInput = what && what.matches && what.matches('input, textarea, select');
  const control = isInput || (what.matches && what.matches('button'));
  const scope = (isInput && what.closest('.field')) || what.closest?.('[data-refusal-scope]') || (control ? what.parentElement : what);
  if (isInput && revert) {
    if (what.type === 'checkbox') what.checked = stored(what);
    else if (what.type !== 'file') what.value = stored(what);
    else what.value = '';
    what.setAttribute('aria-invalid', 'true');
  }
  const slot = slotFor(scope);
  slot.textContent = reason;
  slot.hidden = false;
  slot.classList.add('refusal');
  return slot;
}

/** Clears every refusal shown inside `scope`. */
export function clearRefusal(scope) {
  scope.querySelectorAll('.field-error').forEach((e) => { e.hidden = true; e.textContent = ''; });
  scope.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
}

/**
 * A refusal shown where it happened: a 422 names its field (loc [body, field]) and that field reverts to its
 * stored value with the reason beside it; otherwise the edited `input` reverts, else the row says why.
 * Forms being filled in (revert=false) keep what was typed so it can be corrected.
 */
export function showError(scope, err, input = null, { revert = true } = {}) {
  if (err instanceof ApiError && Array.isArray(err.detail) && scope) {
    let placed = false;
    for (const d of err.detail) {
      const name = (d.loc || [])[1];
      const field = name && scope.querySelector(`[data-field="${name}"]`);
      const target = field && (field.querySelector('input, textarea, select') || field);
      if (target) { refuse(target, d.msg, { revert }); placed = true; }
    }
    if (placed) { if (input && revert) refuse(input, message(err)); return; }
  }
  if (input) { refuse(input, message(err), { revert }); }
  else {
    const row = scope && scope.querySelector('[data-row-error]');
    if (row) refuse(row, message(err));
    else toast(message(err), 'error', 8000);
  }
  if (err instanceof ApiError && err.status === 409 && err.detail && String(err.detail).includes('is locked')) emit(EVENTS.LOCKED);
}
