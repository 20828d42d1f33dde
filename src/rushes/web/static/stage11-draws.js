// Stage 11: how many variants (draws) each rendered shot gets, priced before Confirm. Veo makes them in one
// request per shot and bills each video, so the total is the shot's price times the count. With more than
// one, Confirm sends {"variants": N} in its body (the plain form and app.js's handler cover one).
import { api } from './kit/api.js';
import { refuse } from './kit/feedback.js';

/** Starts the variants choice; `takeOrder` answers the rest of the order (stage11-order.js). */
export function startStage11Draws(takeOrder) {
  const form = document.getElementById('confirm-form');
  const summary = document.getElementById('checkout-summary');
  if (!form || !summary) return;
  const sceneId = form.dataset.sceneId;
  const button = document.getElementById('confirm-render');
  const say = (err) => (Array.isArray(err.detail) ? err.detail.map((d) => d.msg).join('; ') : (err.detail || err.message || String(err)));
  const fmt = (n) => Number(n).toLocaleString('en');

  const select = document.createElement('select');
  select.id = 'variants-select';
  [1, 2, 3, 4].forEach((n) => select.append(Object.assign(document.createElement('option'), {value: String(n),
    textContent: n === 1 ? '1 (one draw per shot)' : `${n} variants per shot`})));
  const cost = Object.assign(document.createElement('p'), {id: 'variants-cost', className: 'muted small'});
  const box = Object.assign(document.createElement('div'), {className: 'variants-choice'});
  const label = Object.assign(document.createElement('label'), {htmlFor: 'variants-select', textContent: 'Variants '});
  box.append(label, select, cost);
  form.before(box);
  if (!document.querySelector('#render-shots tr[data-decision="render"]')) box.hidden = true;

  // The rest of the order (model, resolution, sound, ticked shots: stage11-order.js) prices and confirms with the variants.
  const order = () => (takeOrder ? takeOrder() || {} : {});
  function orderQuery() {
    const o = order(), query = new URLSearchParams();
    ['model', 'resolution', 'audio'].forEach((k) => { if (o[k] != null) query.set(k, String(o[k])); });
    if (o.shot_ids) query.set('shot_ids', o.shot_ids.join(','));
    return query;
  }

  async function price() {
    const n = Number(select.value);
    try {
      const query = orderQuery();
      if (n > 1) query.set('variants', String(n));
      const plan = await api('GET', `/api/scenes/${sceneId}/plan${query.toString() ? `?${query}` : ''}`);
      const total = summary.querySelector('[data-total]');
      if (total) { total.dataset.total = plan.total_credits; total.textContent = fmt(plan.total_credits); }
      const after = summary.querySelector('[data-balance-after]');
      if (after) { after.dataset.balanceAfter = plan.balance_after; after.textContent = fmt(plan.balance_after); after.classList.toggle('danger-text', plan.balance_after < 0); }
      plan.shots.forEach((s) => {
        const cell = document.querySelector(`#render-shots tr[data-shot-id="${s.shot_id}"] td[data-credits]`);
        if (cell && s.decision === 'render') {
          cell.dataset.credits = s.credits;
          cell.innerHTML = `${fmt(s.credits)}<div class="muted small">${s.render_seconds} s × ${plan.price_per_second}${s.variants > 1 ? ` × ${s.variants} videos` : ''}</div>`;
        }
      });
      cost.textContent = n > 1 ? `${plan.video_count} videos in ${plan.render_count} requests; QC ranks each shot's variants and the best becomes its select. A variant the safety filter removes is refunded.` : '';
      button.disabled = !plan.can_confirm;
      button.textContent = `Confirm & Render${plan.total_credits ? ` · ${fmt(plan.total_credits)} credits` : ''}`;
    } catch (err) { cost.textContent = say(err); }
  }
  select.addEventListener('change', price);

  // Before app.js's own handler (capture on the document): only when variants were asked for.
  document.addEventListener('submit', async (event) => {
    if (event.target !== form || Number(select.value) === 1) return;
    event.preventDefault(); event.stopImmediatePropagation();
    const key = form.querySelector('input[name=idempotency_key]').value;
    button.disabled = true; button.textContent = 'Starting take…';
    try {
      const take = await api('POST', `/api/scenes/${sceneId}/takes`, {...order(), variants: Number(select.value)}, {'Idempotency-Key': key});
      location.assign(`/scenes/${sceneId}/review?take=${take.id}`);
    } catch (err) { button.disabled = false; price(); refuse(button, say(err)); }
  }, true);
}
