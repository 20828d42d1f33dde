// Candidates: a shot's draws side by side (each led in by the end of the previous shot's select and out
// into the next one, with QC's badges), keys to step and pick, and Retake (a new draw of the same inputs,
// 1-4 variants, priced before it is bought). Hooks: buttons on shot rows, on notes and on QC findings
// that say "re-render"; the scene's cut updates in place after a pick (the review page's handle).
import { EVENTS, emit, on } from './kit/events.js';
import { api } from './kit/api.js';
import { refuse, toast } from './kit/feedback.js';
import { can, esc } from './kit/html.js';

/** Starts the candidates panel on the review page (`review`: review.js's handle); answers its handle. */
export function startReviewCandidates(review) {
  const root = document.getElementById('review');
  if (!root || !review) return null;
  const sceneId = Number(root.dataset.sceneId);
  const LEAD = 1.5;  // seconds of the neighbouring selects around each candidate
  const make = (tag, props = {}, kids = []) => { const n = Object.assign(document.createElement(tag), props); kids.forEach((k) => n.append(k)); return n; };
  const say = (err) => (Array.isArray(err.detail) ? err.detail.map((d) => d.msg).join('; ') : (err.detail || err.message || String(err)));
  const LABELS = {start_frame_mismatch: 'start frame', end_frame_mismatch: 'end frame', frozen: 'frozen', black: 'black',
    missing_audio: 'no sound', unexpected_audio: 'stray sound', length: 'length', visual_jump: 'look jump', audio_jump: 'sound jump'};

  const grid = make('div', {id: 'cand-grid', className: 'cand-grid', role: 'listbox'});
  grid.setAttribute('aria-label', 'Candidates');
  const title = make('strong', {id: 'cand-title'});
  const playBtn = make('button', {type: 'button', id: 'cand-play', className: 'btn btn-small', textContent: 'Play in context'});
  const closeBtn = make('button', {type: 'button', id: 'cand-close', className: 'btn btn-small', textContent: 'Close'});
  const count = make('select', {id: 'cand-variants', className: 'cand-variants'});
  [1, 2, 3, 4].forEach((n) => count.append(make('option', {value: String(n), textContent: n === 1 ? '1 draw' : `${n} variants`})));
  count.setAttribute('aria-label', 'Draws to ask for');
  const retakeBtn = make('button', {type: 'button', id: 'cand-retake', className: 'btn btn-small btn-primary', textContent: 'Retake'});
  const price = make('span', {id: 'cand-price', className: 'muted small'});
  const retakeBar = make('div', {className: 'cand-retake-bar'}, [make('span', {className: 'small', textContent: 'Draw again, same inputs: '}), count, retakeBtn, price]);
  const hint = make('p', {className: 'muted small cand-hint', textContent: '← → step · Enter picks · Space plays · Esc closes'});
  const status = make('p', {id: 'cand-status', className: 'small', role: 'status'});
  const dialog = make('dialog', {id: 'candidates-dialog', className: 'cand-dialog'}, [
    make('div', {className: 'cand-head'}, [title, make('span', {className: 'spacer'}), playBtn, closeBtn]),
    grid, status, can('spend') ? retakeBar : make('span'), hint]);
  dialog.setAttribute('aria-label', 'Candidates');
  document.body.append(dialog);

  const state = {shot: null, index: -1, clips: [], focus: 0, playing: false, key: null};

  function badges(clip) {
    const out = [];
    if (clip.selected) out.push('<span class="pill cand-select">select</span>');
    if (clip.draw && clip.draw.rank) out.push(`<span class="pill">QC #${clip.draw.rank}</span>`);
    const qc = clip.qc;
    if (!qc) out.push('<span class="pill muted">QC pending</span>');
    else if (qc.clean) out.push('<span class="pill cand-clean">QC clean</span>');
    else qc.kinds.forEach((k) => out.push(`<span class="pill cand-fault" title="${esc((qc.faults.find((f) => f.kind === k) || {}).message)}">${esc(LABELS[k] || k)}</span>`));
    return out.join(' ');
  }
  function drawText(clip) {
    const d = clip.draw || {};
    return `v${clip.version}${d.take_number ? ` · take ${d.take_number}` : ''}${d.variant ? ` · variant ${d.variant}` : ''}`;
  }
  function neighbour(offset) { const c = review.cut; return c.shots[state.index + offset] || null; }

  function tile(clip, i) {
    const prev = neighbour(-1); const next = neighbour(1);
    const lead = make('video', {className: 'cand-lead', muted: true, playsInline: true, preload: 'auto'});
    const body = make('video', {className: 'cand-body', muted: true, playsInline: true, preload: 'auto', src: clip.url});
    const out = make('video', {className: 'cand-out', muted: true, playsInline: true, preload: 'auto'});
    if (prev && prev.src) lead.src = prev.src;
    if (next && next.src) out.src = next.src;
    if (clip.poster_url) body.poster = clip.poster_url;
    const pick = make('button', {type: 'button', className: 'btn btn-small cand-pick', textContent: clip.selected ? 'Select ✓' : 'Pick'});
    pick.disabled = !can('select') || clip.selected;
    const el = make('div', {className: `cand-tile${clip.selected ? ' is-select' : ''}`, tabIndex: 0, role: 'option'}, [
      make('div', {className: 'cand-screen'}, [lead, body, out, make('span', {className: 'cand-phase'})]),
      make('div', {className: 'cand-meta', innerHTML: `<span class="cand-draw">${esc(drawText(clip))}</span> ${badges(clip)}`}),
      pick]);
    el.dataset.clipId = clip.id; el.dataset.phase = 'body'; el.dataset.index = i;
    el.setAttribute('aria-selected', String(clip.selected));
    el.addEventListener('focus', () => setFocus(i, false));
    el.addEventListener('click', (e) => { if (!e.target.closest('.cand-pick')) setFocus(i); });
    pick.addEventListener('click', () => choose(clip));
    el.play = () => playTile(el, lead, body, out, prev, next);
    el.stop = () => [lead, body, out].forEach((v) => v.pause());
    return el;
  }

  // Lead-in (the previous select's last seconds), the candidate, then the next select's first seconds.
  function playTile(el, lead, body, out, prev, next) {
    const shot = state.shot;
    const show = (phase) => { el.dataset.phase = phase; el.querySelector('.cand-phase').textContent = phase === 'lead' ? (prev ? prev.code : '') : phase === 'out' ? (next ? next.code : '') : ''; };
    const toOut = () => {
      body.pause();
      if (!next || !next.src) { show('body'); return; }
      show('out'); out.currentTime = 0; out.play().catch(() => {});
      out.ontimeupdate = () => { if (out.currentTime >= LEAD) { out.pause(); out.ontimeupdate = null; } };
    };
    const toBody = () => {
      lead.pause(); show('body'); body.currentTime = 0; body.play().catch(() => {});
      body.ontimeupdate = () => { if (body.currentTime >= shot.duration - 0.02) { body.ontimeupdate = null; toOut(); } };
      body.onended = () => { body.ontimeupdate = null; toOut(); };
    };
    if (prev && prev.src) {
      show('lead'); lead.currentTime = Math.max(0, prev.duration - LEAD); lead.play().catch(() => {});
      lead.ontimeupdate = () => { if (lead.currentTime >= prev.duration - 0.02) { lead.ontimeupdate = null; toBody(); } };
    } else toBody();
  }

  function tiles() { return [...grid.querySelectorAll('.cand-tile')]; }
  function setFocus(i, move = true) {
    const all = tiles(); if (!all.length) return;
    state.focus = (i + all.length) % all.length;
    all.forEach((t, n) => {
      t.classList.toggle('focused', n === state.focus);
      t.querySelectorAll('video').forEach((v) => { v.muted = n !== state.focus; });
    });
    if (move) all[state.focus].focus();
  }
  function render() {
    grid.replaceChildren(...state.clips.map(tile));
    grid.dataset.count = String(state.clips.length);
    setFocus(Math.max(0, state.clips.findIndex((c) => c.selected)), false);
  }
  function togglePlay() {
    state.playing = !state.playing;
    tiles().forEach((t) => (state.playing ? t.play() : t.stop()));
    playBtn.textContent = state.playing ? 'Pause' : 'Play in context';
  }

  async function load(shotId) {
    const all = await api('GET', `/api/shots/${shotId}/clips`);
    // The candidates are the draws of the shot's current inputs; older inputs live in Compare.
    state.clips = all.filter((c) => c.current);
    if (!state.clips.length) state.clips = all.slice(-1);
    render();
  }

  async function open(shotId, {retake = false} = {}) {
    const cut = review && review.cut;
    state.index = cut ? cut.shots.findIndex((s) => s.shot_id === shotId) : -1;
    state.shot = state.index >= 0 ? cut.shots[state.index] : {shot_id: shotId, code: '', duration: 8};
    state.key = `retake-${shotId}-${Date.now()}-${Math.random().toString(36).slice(2)}`;  // one key per question
    title.textContent = `${state.shot.code} candidates`;
    status.textContent = '';
    if (review && review.player) review.player.pause();
    await load(shotId);
    if (!dialog.open) dialog.showModal();
    if (can('spend')) await pricing();
    if (retake && can('spend')) retakeBtn.focus(); else setFocus(state.focus);
  }

  async function pricing() {
    price.textContent = '…';
    try {
      const plan = await api('GET', `/api/scenes/${sceneId}/plan?retake=${state.shot.shot_id}&variants=${count.value}`);
      const row = plan.shots.find((s) => s.shot_id === state.shot.shot_id);
      retakeBtn.disabled = !plan.can_confirm;
      retakeBtn.textContent = `Retake · ${plan.total_credits} credits`;
      retakeBtn.dataset.credits = String(plan.total_credits);
      price.textContent = row ? `${row.variants} × ${row.unit_credits} credits${plan.rendering_take_id ? ' · a take is rendering' : ''}${plan.affordable ? '' : ' · not enough credits'}` : '';
    } catch (err) { price.textContent = say(err); retakeBtn.disabled = true; }
  }

  async function retake() {
    retakeBtn.disabled = true;
    try {
      const take = await api('POST', `/api/scenes/${sceneId}/takes`, {retake: [state.shot.shot_id], variants: Number(count.value)},
                               {'Idempotency-Key': state.key});
      status.textContent = `Take ${take.number} started: ${state.shot.code} is drawn again.`;
      location.assign(`/scenes/${sceneId}/review?take=${take.id}`);
    } catch (err) { retakeBtn.disabled = false; refuse(retakeBtn, say(err)); }
  }

  async function choose(clip) {
    if (!can('select') || clip.selected) return;
    try {
      const answer = await api('POST', `/api/shots/${state.shot.shot_id}/select`, {clip_id: clip.id});
      state.clips = answer.clips.filter((c) => c.current);
      render();
      status.textContent = `v${clip.version} is ${state.shot.code}'s select: the cut plays it.`;
      await refreshCut();
    } catch (err) { status.textContent = say(err); }
  }

  // The scene's cut plays the selects: swap the new one in without a reload.
  async function refreshCut() {
    const rv = review; if (!rv) return;
    if (new URLSearchParams(location.search).has('take')) { rv.reloadIssues(); return; }  // an old take plays as reviewed
    const fresh = await api('GET', `/api/scenes/${sceneId}/cut`);
    const at = rv.player.currentTime;
    Object.assign(rv.cut, fresh);
    rv.player.shots = fresh.shots.map((s) => ({code: s.code, start: s.start, duration: s.duration, src: s.src || undefined,
      poster: s.poster || undefined, thumbs: s.thumbs || undefined, state: s.state, reason: s.reason || undefined}));
    if (at) rv.player.seek(Math.min(at, rv.player.duration || at));
    fresh.shots.forEach((s) => {
      const row = document.querySelector(`#shot-list .shot-row[data-shot-id="${s.shot_id}"]`);
      if (!row) return;
      row.dataset.clipId = s.clip_id || '';
      const img = row.querySelector('.thumb img');
      if (img && s.poster) img.src = s.poster;
    });
    rv.reloadIssues();
    emit(EVENTS.CUT_CHANGED, {cut: fresh});
  }

  dialog.addEventListener('keydown', (e) => {
    if (e.target.closest('select, input')) return;
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); setFocus(state.focus + 1); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); setFocus(state.focus - 1); }
    else if ((e.key === 'Enter' || e.key === 'p') && !e.target.closest('button')) { e.preventDefault(); choose(state.clips[state.focus]); }
    else if (e.key === ' ' && !e.target.closest('button')) { e.preventDefault(); togglePlay(); }
  });
  dialog.addEventListener('close', () => { if (state.playing) togglePlay(); tiles().forEach((t) => t.stop()); });
  playBtn.addEventListener('click', togglePlay);
  closeBtn.addEventListener('click', () => dialog.close());
  count.addEventListener('change', pricing);
  retakeBtn.addEventListener('click', retake);

  // ---- hooks: shot rows, notes, QC findings ----
  const button = (cls, text, shotId, extra = {}) => {
    const b = make('button', {type: 'button', className: `btn btn-small ${cls}`, textContent: text, ...extra});
    b.dataset.shotId = shotId;
    b.addEventListener('click', (e) => { e.stopPropagation(); open(Number(shotId), {retake: cls.includes('retake')}).catch((err) => toast(say(err), 'error')); });
    return b;
  };
  document.querySelectorAll('#shot-list .shot-row').forEach((row) => {
    const meta = row.querySelector('.meta'); if (!meta) return;
    const bar = make('div', {className: 'cand-row-actions'}, [button('cand-open', 'Candidates', row.dataset.shotId)]);
    if (can('spend')) bar.append(button('cand-retake-row', 'Retake', row.dataset.shotId, {title: 'Draw this shot again with the same inputs'}));
    const compare = meta.querySelector('.ab');
    if (compare) bar.prepend(compare);  // one row of actions, so more shots fit in the list
    meta.append(bar);
  });

  async function setStatus(id, status) {
    await api('PATCH', `/api/issues/${id}`, {status});
    review.reloadIssues();
  }
  // Notes follow their shot: on a newer clip they ask "was this fixed?" with one click either way.
  on(EVENTS.ISSUES_RENDERED, ({ issues }) => {
    (issues || []).forEach((issue) => {
      const li = document.querySelector(`#issue-list .issue[data-id="${issue.id}"]`);
      const body = li && li.querySelector('.issue-body'); if (!body) return;
      li.dataset.shotChanged = String(!!issue.shot_changed);
      const live = ['open', 'routed', 'addressed'].includes(issue.status);
      const row = make('div', {className: 'cand-note-line small'});
      if (issue.carried_from_take && review.cut.take && issue.carried_from_take !== review.cut.take.id) {
        row.append(make('span', {className: 'muted', textContent: `from take ${issue.carried_from_take_number || '?'}`}));
      }
      if (issue.qc_check) {
        const c = issue.qc_check;
        row.append(make('span', {className: `pill ${c.verdict === 'verified by QC' ? 'cand-clean' : 'cand-fault'}`,
          textContent: c.verdict === 'verified by QC' ? `verified by QC on v${c.version}` : `QC: still there on v${c.version} (${Number(c.measure).toFixed(2)})`}));
      }
      if (issue.shot_changed && live && can('triage')) {
        row.append(make('span', {className: 'cand-check', textContent: 'Shot changed: was this fixed?'}));
        const yes = make('button', {type: 'button', className: 'btn btn-small cand-resolve', textContent: 'Resolve'});
        yes.addEventListener('click', () => setStatus(issue.id, 'resolved').catch((err) => refuse(yes, say(err))));
        row.append(yes);
      }
      if (['resolved', 'wont_fix'].includes(issue.status) && issue.shot_changed && can('triage')) {
        const again = make('button', {type: 'button', className: 'btn btn-small cand-reopen', textContent: 'Reopen'});
        again.addEventListener('click', () => setStatus(issue.id, 'open').catch((err) => refuse(again, say(err))));
        row.append(again);
      }
      if (live && can('spend')) row.append(button('cand-retake-note', 'Retake shot', issue.shot_id));
      if (row.childNodes.length) body.append(row);
    });
  });
  // QC's advice "re-render the shot" gets its button.
  const qcList = document.getElementById('qc-panel');
  const decorate = () => qcList.querySelectorAll('.qc-finding').forEach((li) => {
    if (li.querySelector('.cand-retake-qc') || !can('spend')) return;
    if (!/re-render/i.test(li.querySelector('.qc-text')?.textContent || '')) return;
    const code = li.querySelector('.qc-seek .code')?.textContent || '';
    const row = code && document.querySelector(`#shot-list .shot-row[data-code="${CSS.escape(code)}"]`);
    if (row) (li.querySelector('.qc-actions') || li).append(button('cand-retake-qc', 'Retake', row.dataset.shotId));
  });
  if (qcList) { new MutationObserver(decorate).observe(qcList, {childList: true, subtree: true}); decorate(); }

  return {open, choose: (i) => choose(state.clips[i]), refreshCut, state: () => ({...state})};
}
