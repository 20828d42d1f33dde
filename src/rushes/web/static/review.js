// Stage 12 review page: drives <scene-player>, the shot list, issues, routing, progress and A/B.
import { refreshRail, shotStateLabel } from './app.js';
import * as attention from './attention.js';
import { api, message } from './kit/api.js';
import { EVENTS, emit, on } from './kit/events.js';
import { ask, refuse, toast } from './kit/feedback.js';
import { can, esc } from './kit/html.js';
import { FPS, timecode as tc } from './kit/timecode.js';

/**
 * Starts the review page; `compare` is the A/B compare (review-compare.js). Answers the handle the page's
 * other parts use: {player, cut, reloadIssues, issues, showRoute, api, addToPin}, or null off the page.
 */
export function startReview({ compare }) {
  const root = document.getElementById('review');
  if (!root) return null;
  const sceneId = Number(root.dataset.sceneId);
  const takeId = root.dataset.takeId ? Number(root.dataset.takeId) : null;
  const cut = JSON.parse(document.getElementById('cut-data').textContent);
  const player = document.getElementById('player');
  const $ = (id) => document.getElementById(id);
  const STAGES = {7: 'Stage 7 Shot List', 8: 'Stage 8 Visual Definition', 9: 'Stage 9 Prompts', 10: 'Stage 10 Frames'};
  let issues = [];
  let suggestion = null;
  let stageTouched = false;
  const triage = can('triage');  // editing or deleting notes: the server says who may

  // The page's forms show err.message, so a 422's field errors are put in words here.
  const call = (method, url, body) => api(method, url, body).catch((err) => { throw new Error(message(err)); });
  // What other parts add to a pinned note: its in and out frames (review-range.js), its drawing (review-draw.js).
  const pinParts = [];

  // ---- player and shot list ----
  const playerShots = (c) => c.shots.map((s) => ({code: s.code, start: s.start, duration: s.duration, src: s.src || undefined,
    poster: s.poster || undefined, thumbs: s.thumbs || undefined, waveform: s.waveform || undefined,
    state: s.state, reason: s.reason || undefined}));
  player.shots = playerShots(cut);
  const rows = [...document.querySelectorAll('#shot-list .shot-row')];
  const shotAt = (index) => cut.shots[index];
  // Where in the shot the playhead is: a note pinned on a cut is often about the cut itself.
  const shotTime = (shot) => Math.max(0, Math.min(shot.duration, player.currentTime - shot.start));
  function highlight(index) {
    rows.forEach((r, i) => r.classList.toggle('current', i === index));
    const shot = shotAt(index);
    $('pin-shot').textContent = shot ? shot.code : '—';
  }
  player.addEventListener('shotchange', (e) => highlight(e.detail.index));
  player.addEventListener('timeupdate', (e) => { $('pin-tc').textContent = tc(e.detail.currentTime); });
  player.addEventListener('pinclick', (e) => selectIssue(e.detail.id));
  highlight(0);
  rows.forEach((row) => {
    const go = (ev) => { if (ev.target.closest('.ab')) return; player.goToShot(Number(row.dataset.index)); };
    row.addEventListener('click', go);
    row.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') go(ev); });
  });
  player.addEventListener('keydown', (e) => {
    if (e.key === 'n' || e.key === 'N') { e.preventDefault(); player.pause(); $('issue-text').focus(); }
  });

  // ---- issues ----
  const categoryInput = () => document.querySelector('input[name="category"]:checked');
  // A note on a cut names both shots ("2A | 2B"); a range over several shots names its first and last.
  const shotsOf = (i) => (!i.shots || i.shots.length < 2 ? i.shot_code
    : i.on_cut ? i.shots.join(' | ') : `${i.shots[0]}–${i.shots[i.shots.length - 1]}`);
  function renderIssues() {
    const open = issues.filter((i) => i.status === 'open' || i.status === 'routed');
    $('issue-count').textContent = `${open.length} open · ${issues.length} in all`;
    player.pins = issues.filter((i) => i.status !== 'resolved' && i.status !== 'wont_fix').map((i) => ({id: i.id,
      time: i.frame / FPS, end: i.out_frame != null ? i.out_frame / FPS : 0,
      label: `${i.shot_code} · ${i.description}`, category: i.category}));
    $('issue-list').innerHTML = issues.map((i) => `
      <li class="issue issue-${i.status}" data-id="${i.id}" data-stage="${i.stage}" data-status="${i.status}"
          data-shot="${esc(i.shot_code)}" data-author="${esc(i.author || '')}">
        <button class="issue-seek" type="button" title="Go to ${tc(i.frame / FPS)}">
          <span class="tc">${tc(i.frame / FPS)}</span>${i.out_frame != null ? `<span class="tc tc-out">– ${tc(i.out_frame / FPS)}</span>` : ''}<span class="code" title="${i.on_cut ? 'On the cut' : ''}">${esc(shotsOf(i))}</span></button>
        <div class="issue-body">
          <div class="issue-line"><span class="cat cat-${i.category}">${esc(i.category_label)}</span>
            <span class="to">${i.stage ? `→ ${esc(STAGES[i.stage])}` : '<strong class="no-route-label">No route yet: choose a stage</strong>'}${i.overridden ? ' <em data-glossary="override">(override)</em>' : ''}</span>
            <span class="pill status-${i.status}">${esc(i.status_label || i.status)}</span>
            ${i.author ? `<span class="issue-author muted small">${esc(i.author)}</span>` : ''}</div>
          <div class="issue-text">${esc(i.description)}</div>
          ${i.suggestion ? `<div class="issue-agent muted small">Agent: ${i.suggestion.stage == null ? 'no stage proposed' : `stage ${i.suggestion.stage}, ${Math.round(i.suggestion.confidence * 100)}%`} — ${esc(i.suggestion.reason)}</div>` : ''}
          ${i.replies || can('note') ? `<button class="issue-reply link small" type="button" aria-expanded="false" data-count="${i.replies}">${i.replies ? `${i.replies} repl${i.replies === 1 ? 'y' : 'ies'}` : 'Reply'}</button>` : ''}
          <div class="issue-thread hidden"></div>
        </div>
        ${triage ? `<div class="issue-actions">
          <button class="icon-btn edit" type="button">Edit</button>
          <button class="icon-btn danger delete" type="button">Delete</button>
        </div>` : ''}
      </li>`).join('');
    const counts = {};
    open.forEach((i) => { counts[i.stage] = (counts[i.stage] || 0) + 1; });
    // Notes the agent could not place wait here until someone chooses; no stage counts them.
    const waiting = open.filter((i) => i.stage == null).length;
    $('no-route-count').classList.toggle('hidden', !waiting);
    $('no-route-count').querySelector('b').textContent = waiting ? `(${waiting})` : '';
    document.querySelectorAll('#route-buttons .route').forEach((b) => {
      const n = counts[b.dataset.stage] || 0;
      b.disabled = n === 0; b.querySelector('b').textContent = n ? `(${n})` : '';
      b.classList.toggle('hidden', n === 0 && b.dataset.stage === '8');
    });
    rows.forEach((row) => {
      const n = open.filter((i) => i.shot_id === Number(row.dataset.shotId)).length;
      const badge = row.querySelector('.issue-badge');
      badge.textContent = n; badge.classList.toggle('hidden', n === 0);
    });
    emit(EVENTS.ISSUES_RENDERED, {issues});
  }
  async function loadIssues() { issues = await call('GET', `/api/scenes/${sceneId}/issues`); renderIssues(); }
  // Another part of the page wrote a note (QC's Accept): show it.
  on(EVENTS.NOTES_CHANGED, () => loadIssues());
  function selectIssue(id) {
    const issue = issues.find((i) => i.id === id);
    document.querySelectorAll('.issue').forEach((el) => el.classList.toggle('selected', Number(el.dataset.id) === id));
    if (issue) player.seek(issue.scene_time);
  }
  $('issue-list').addEventListener('click', async (e) => {
    const li = e.target.closest('.issue'); if (!li) return;
    const id = Number(li.dataset.id);
    if (e.target.closest('.delete')) {
      const issue = issues.find((i) => i.id === id);
      const yes = await ask({title: 'Delete this note?', lines: [issue ? `“${issue.description}” at ${tc(issue.frame / FPS)}` : ''],
        confirm: 'Delete note', cancel: 'Keep it', danger: true});
      if (!yes) return;
      try { await call('DELETE', `/api/issues/${id}`); } catch (err) { refuse(li.querySelector('.issue-body'), err.message); return; }
      await loadIssues(); return;
    }
    if (e.target.closest('.edit')) { editIssue(li, issues.find((i) => i.id === id)); return; }
    if (e.target.closest('.issue-seek') || e.target.closest('.issue-text')) selectIssue(id);
  });
  function editIssue(li, issue) {
    const body = li.querySelector('.issue-body');
    body.innerHTML = `<textarea class="edit-text" rows="2">${esc(issue.description)}</textarea>
      <div class="edit-row"><select class="edit-stage">${issue.stage ? '' : '<option value="">No route yet</option>'}${Object.entries(STAGES).map(([n, t]) =>
        `<option value="${n}"${Number(n) === issue.stage ? ' selected' : ''}>${t}</option>`).join('')}</select>
      <button class="btn btn-small btn-primary save" type="button">Save</button>
      <button class="btn btn-small cancel" type="button">Cancel</button></div>`;
    body.querySelector('.cancel').onclick = renderIssues;
    body.querySelector('.save').onclick = async () => {
      try {
        const stage = Number(body.querySelector('.edit-stage').value) || undefined;
        await call('PATCH', `/api/issues/${issue.id}`, {description: body.querySelector('.edit-text').value, stage});
        await loadIssues();
      } catch (err) { refuse(body.querySelector('.edit-text'), err.message, {revert: false}); }
    };
  }

  // ---- composer with live attribution ----
  // Nothing is preset: an untouched stage means "as the agent proposes" (the server settles it).
  function showSuggestion(s) {
    suggestion = s;
    const box = $('suggestion');
    box.classList.remove('hidden');
    // No stage means the agent cannot tell from the note: it asks instead of proposing a route.
    const unsure = s.stage == null;
    $('accept-suggestion').classList.toggle('hidden', unsure);
    box.classList.toggle('unsure', unsure);
    if (unsure) {
      $('suggestion-text').innerHTML = `<strong>Not sure where this goes: choose the stage</strong>
        <span class="muted">${esc(s.reason)}</span>`;
      return;
    }
    const shots = s.shots && s.shots.length ? ` · shots ${s.shots.join(', ')}` : '';
    const fields = s.fields && s.fields.length ? ` · ${s.fields.join(', ')}` : '';
    $('suggestion-text').innerHTML = `<strong>${esc(STAGES[s.stage])}</strong>${esc(shots)}${esc(fields)}
      <span class="conf">${Math.round(s.confidence * 100)}%</span> <span class="muted">${esc(s.reason)}</span>`;
  }
  let timer = null; let seq = 0;
  async function suggest() {
    const text = $('issue-text').value.trim();
    if (text.length < 3) { $('suggestion').classList.add('hidden'); suggestion = null; return; }
    const mine = ++seq;
    const shot = shotAt(player.currentShot);
    try {
      const s = await call('POST', '/api/attribution', {description: text, category: categoryInput() ? categoryInput().value : undefined,
                                                      shot_id: shot ? shot.shot_id : undefined,
                                                      shot_time: shot ? shotTime(shot) : undefined});
      if (mine === seq) showSuggestion(s);
    } catch (err) { /* a failed suggestion never blocks pinning */ }
  }
  $('issue-text').addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(suggest, 200); });
  document.querySelectorAll('input[name="category"]').forEach((r) => r.addEventListener('change', () => {
    suggest();
  }));
  $('issue-stage').value = '';
  $('issue-stage').addEventListener('change', () => { stageTouched = true; });
  $('accept-suggestion').addEventListener('click', () => {
    if (!suggestion || suggestion.stage == null) return;
    $('issue-stage').value = String(suggestion.stage); stageTouched = true;
  });
  $('pin-issue').addEventListener('click', async () => {
    $('issue-error').textContent = '';
    const text = $('issue-text').value.trim();
    if (!text) { $('issue-error').textContent = 'Describe the issue first.'; $('issue-text').focus(); return; }
    const guestName = $('guest-name');
    if (guestName && !guestName.value.trim()) { $('issue-error').textContent = 'Tell us your name first.'; guestName.focus(); return; }
    const button = $('pin-issue'); button.disabled = true;
    try {
      // The note sits on the frame on screen, or on the in and out frames marked with I and O.
      const picked = categoryInput();
      await call('POST', `/api/scenes/${sceneId}/issues`, {scene_time: player.currentTime, category: picked ? picked.value : undefined,
        description: text, stage: Number($('issue-stage').value) || undefined, take_id: takeId,
        ...Object.assign({}, ...pinParts.map((part) => part(player.currentTime))),
        ...(guestName ? {guest_name: guestName.value.trim()} : {})});
      if (guestName) localStorage.setItem('rushes-guest-name', guestName.value.trim());
      clearTimeout(timer); seq += 1;  // a suggestion still on its way was for the note just pinned
      $('issue-text').value = ''; $('suggestion').classList.add('hidden'); suggestion = null; stageTouched = false;
      document.querySelectorAll('input[name="category"]').forEach((r) => { r.checked = false; });
      $('issue-stage').value = '';
      emit(EVENTS.NOTE_PINNED);
      await loadIssues();
    } catch (err) { $('issue-error').textContent = err.message; } finally { button.disabled = false; }
  });

  // A guest is asked their name once: it is kept in this browser for the next notes.
  if ($('guest-name')) $('guest-name').value = localStorage.getItem('rushes-guest-name') || '';

  // ---- routing back and completing ----
  // Every cost of the fix, shot by shot: frames redrawn at Stage 10 and the clip re-rendered at Stage 11.
  function costTable(c) {
    const row = (s, label, cls) => `<tr class="${cls}" data-code="${esc(s.code)}" title="${esc(s.why || '')}"><td>${esc(label)}${s.why ? `<div class="small muted why">${esc(s.why)}</div>` : ''}</td>
      <td class="num">${s.frames ? `${s.frames} × ${c.frame_price} = ${s.frame_credits}` : '—'}</td>
      <td class="num">${s.clip_credits}</td><td class="num">${s.credits}</td></tr>`;
    return `<table class="grid cost-table" id="route-costs"><thead><tr><th>Shot</th><th class="num">Frames</th>
      <th class="num">Clip</th><th class="num">Credits</th></tr></thead><tbody>
      ${c.shots.map((s) => row(s, s.code, 'fix')).join('')}
      ${c.follows.map((s) => row(s, s.why ? s.code : `${s.code} if ${s.after}’s last frame changes`, 'follows')).join('')}</tbody>
      <tfoot><tr><th>Total</th><td class="num">${c.frame_credits}</td><td class="num">${c.clip_credits}</td>
      <td class="num" data-total="${c.total_credits}">${c.total_credits}</td></tr></tfoot></table>`;
  }
  document.querySelectorAll('#route-buttons .route').forEach((b) => b.addEventListener('click', async () => {
    try {
      const r = await call('POST', `/api/scenes/${sceneId}/route`, {stage: Number(b.dataset.stage)});
      showRoute(r);
      await loadIssues();
    } catch (err) { refuse(b, err.message); }
  }));
  // The statement stays with its route: shown when routing, and again after a reload (GET .../routes).
  function showRoute(r) {
    const box = $('route-statement');
    box.classList.remove('hidden');
    box.dataset.routeId = r.id;
    box.innerHTML = `<div><strong>${r.routed} issue${r.routed === 1 ? '' : 's'} sent to ${esc(STAGES[r.stage])}.</strong>
      ${costTable(r.costs)}<p class="small muted route-why">${esc(r.statement)}</p></div>
      <a class="btn btn-primary" id="go-stage" href="${r.url}">Open ${esc(STAGES[r.stage])} →</a>`;
    box.scrollIntoView({block: 'nearest'});
  }
  // Complete Scene asks and answers in review-complete.js.
  const takeSelect = $('take-select');
  if (takeSelect) takeSelect.addEventListener('change', () => { location.search = `?take=${takeSelect.value}`; });

  // ---- live render progress ----
  async function pollTake() {
    if (!takeId || cut.take.finished) return;
    let take;
    try { take = await call('GET', `/api/takes/${takeId}`); } catch (err) { setTimeout(pollTake, 2000); return; }
    $('render-progress').classList.remove('hidden');
    $('progress-summary').textContent = `${take.done_count} of ${take.shots.length} shots done`;
    $('progress-shots').innerHTML = take.shots.map((s) => `
      <div class="pshot pstate-${s.state}${s.quota ? ' pstate-quota' : ''}" data-code="${esc(s.code)}" data-state="${s.state}"
        ${s.quota ? `data-quota-eta="${s.quota.eta_seconds}"` : ''}>
        <span class="code">${esc(s.code)}</span><span class="pstate">${esc(shotStateLabel(s))}</span>
        <span class="bar"><i style="width:${Math.round(s.progress * 100)}%"></i></span>
        ${s.error ? `<span class="perr danger-text small">${esc(s.error)}</span>` : ''}
        ${attention.buttons(s)}</div>`).join('');
    // Watch while it renders: shots that landed join the cut (the playhead stays), the rest are slates
    // with their progress.
    const landed = take.shots.some((s) => s.state === 'succeeded' && !cut.shots.find((c) => c.shot_id === s.shot_id && c.state === 'ready'));
    if (landed && !take.finished) await updateCut();
    take.shots.forEach((s) => {
      const index = cut.shots.findIndex((c) => c.shot_id === s.shot_id);
      if (index >= 0 && cut.shots[index].state !== 'ready' && player.setShotStatus) {
        const pct = Math.round((s.progress || 0) * 100);
        player.setShotStatus(index, {state: s.state === 'running' || s.state === 'submitted' ? 'rendering' : s.state,
          reason: s.error || (s.state === 'queued' ? 'waiting for the renderer' : `${shotStateLabel(s)} · ${pct}%`)});
      }
    });
    take.shots.forEach((s) => {
      const row = document.querySelector(`#shot-list .shot-row[data-shot-id="${s.shot_id}"] .shot-state`);
      if (row && !cut.shots.find((c) => c.shot_id === s.shot_id && c.state === 'ready')) {
        row.textContent = s.state; row.dataset.state = s.state === 'succeeded' ? 'fresh' : s.state;
      }
    });
    if (take.finished) {
      // The take on screen finished: its clips join the cut in place (same take, so nothing is swapped
      // under the reviewer, and no reload loses the toast); the playhead stays where it was.
      $('render-progress').classList.add('finished');
      if ($('cancel-take')) $('cancel-take').classList.add('hidden');
      await refreshCut(take);
      return;
    }
    setTimeout(pollTake, 1000);
  }
  async function updateCut() {
    const fresh = await call('GET', `/api/scenes/${sceneId}/cut?take=${takeId}`);
    const at = player.currentTime;
    const wasPlaying = !player.paused;
    Object.assign(cut, fresh);
    player.shots = playerShots(cut);
    if (at) await player.seek(Math.min(at, player.duration));
    if (wasPlaying) player.play();
    cut.shots.forEach((s) => {
      const row = document.querySelector(`#shot-list .shot-row[data-shot-id="${s.shot_id}"]`);
      if (!row) return;
      const pill = row.querySelector('.shot-state');
      const state = s.state === 'ready' ? 'fresh' : s.state;
      pill.textContent = state; pill.dataset.state = state;
      row.className = row.className.replace(/state-\S+/, `state-${s.state}`);
      const thumb = row.querySelector('.thumb');
      if (s.poster && thumb && !thumb.querySelector('img')) thumb.replaceChildren(Object.assign(document.createElement('img'), {src: s.poster, alt: ''}));
    });
  }
  async function refreshCut(take) {
    await updateCut();
    const ready = cut.shots.filter((s) => s.state === 'ready').length;
    const unready = cut.shots.filter((s) => s.state !== 'ready').map((s) => s.code);
    $('progress-summary').textContent = unready.length
      ? `finished — ${ready} of ${cut.shots.length} shots ready; ${unready.join(', ')} did not render`
      : `finished — all ${cut.shots.length} shots ready`;
    const head = document.querySelector('#render-progress .progress-head strong');
    if (head) head.textContent = `Take ${cut.take.number} rendered`;
    // A question about cancelling a render that has just ended no longer has anything to ask.
    const cancelAsk = document.getElementById('ask-dialog');
    if (cancelAsk && /Cancel this render/.test(cancelAsk.textContent)) cancelAsk.querySelector('[data-answer="no"]').click();
    const complete = $('complete-scene');
    if (complete) {
      complete.disabled = unready.length > 0;
      complete.removeAttribute('title');
      complete.dataset.ready = String(!unready.length);
    }
    refreshRail().catch(() => {});
  }
  if ($('progress-shots')) attention.wire($('progress-shots'));
  if ($('cancel-take')) $('cancel-take').addEventListener('click', async () => {
    const yes = await ask({title: 'Cancel this render?', confirm: 'Cancel render', cancel: 'Keep rendering', danger: true,
      lines: ['Shots not yet sent to the renderer are refunded; a shot already rendering is kept and stays charged.']});
    if (!yes) return;
    try { await call('POST', `/api/takes/${takeId}/cancel`); } catch (err) { refuse($('cancel-take'), err.message); }
  });

  // ---- compare a shot's versions (review-compare.js) ----
  document.querySelectorAll('.ab').forEach((btn) => btn.addEventListener('click', () => {
    player.pause();
    compare.open(cut, Number(btn.dataset.index)).catch((err) => toast(err.message, 'error'));
  }));

  // A routed note's way back from its stage: ?t=SECONDS puts the playhead there, ?note=ID marks the note.
  const wanted = new URLSearchParams(location.search);
  const seekTo = Number(wanted.get('t'));
  if (wanted.has('t') && Number.isFinite(seekTo)) player.seek(Math.min(Math.max(0, seekTo), cut.duration || seekTo));
  loadIssues().then(() => {
    const note = Number(wanted.get('note'));
    const li = note && document.querySelector(`#issue-list .issue[data-id="${note}"]`);
    if (li) { li.classList.add('selected'); li.scrollIntoView({block: 'nearest'}); }
  });
  pollTake();
  call('GET', `/api/scenes/${sceneId}/routes`).then((routes) => { if (routes.length) showRoute(routes[0]); }).catch(() => {});
  return {player, cut, reloadIssues: loadIssues, issues: () => issues, showRoute, api: call,
          addToPin: (part) => { pinParts.push(part); }};
}
