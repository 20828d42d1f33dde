// A live review session (Stage 12): the presenter's play, pause, frame, rate, loop, note in focus and
// compare view are mirrored to everyone in the room; anyone can show a laser pointer on the picture.
// The room is joined from ?room=ID (the room's url redirects there) or started with "Start a session".
import { EVENTS, emit } from './kit/events.js';
import { api, csrfHeaders } from './kit/api.js';
import { toast } from './kit/feedback.js';
import { esc } from './kit/html.js';
import { shortcuts } from './kit/keys.js';
import { FPS } from './kit/timecode.js';

/** Starts live review sessions; `compare` is the A/B compare's handle (its view is mirrored). */
export function startReviewRoom(compare) {
  const root = document.getElementById('review');
  const panel = document.getElementById('room-panel');
  if (!root || !panel) return;
  const player = document.getElementById('player');
  const sceneId = Number(root.dataset.sceneId);
  const $ = (id) => document.getElementById(id);
  const HEARTBEAT_MS = 3000;
  const TICK_MS = 100;
  const ANCHOR_MS = 2000;  // a playing presenter re-anchors the room this often, so drift never accumulates

  let room = null;       // room id
  let me = null;         // my participant id
  let presenter = null;  // the presenter's participant id
  let people = [];
  let seq = -1;          // newest state applied
  let state = null;      // the presenter's state, as last heard
  let offset = 0;        // server clock minus ours, seconds
  let source = null;
  let timers = [];
  let sent = null;       // what I last sent as presenter
  let focusIssue = null;
  let seeking = null;
  let lastNudge = 0;
  const serverNow = () => Date.now() / 1000 + offset;
  const presenting = () => room !== null && presenter === me;

  // ---- joining and leaving -----------------------------------------------------------------
  function myName() {
    const guestName = document.getElementById('guest-name');
    const stored = localStorage.getItem('rushes.roomName');
    return (guestName && guestName.value.trim()) || stored || panel.dataset.me || '';
  }
  async function timed(call) {
    const t0 = Date.now() / 1000;
    const view = await call();
    const t1 = Date.now() / 1000;
    offset = view.server_time - (t0 + t1) / 2;  // the server read its clock about half way through
    return view;
  }
  async function start() {
    const view = await timed(() => api('POST', `/api/scenes/${sceneId}/rooms`, {name: myName()}));
    history.replaceState(null, '', `${location.pathname}?room=${view.id}`);
    enter(view);
    toast('Session started: copy its link for the others', 'ok', 3000);
  }
  async function join(id) {
    try {
      enter(await timed(() => api('POST', `/api/rooms/${id}/join`, {name: myName()})));
    } catch (err) {
      toast(`Could not join the session: ${err.message}`, 'error', 6000);
    }
  }
  function enter(view) {
    room = view.id; me = view.me;
    panel.classList.remove('hidden');
    const startBtn = $('room-start'); if (startBtn) startBtn.hidden = true;
    hear(view);
    openStream();
    timers.push(setInterval(beat, HEARTBEAT_MS), setInterval(tick, TICK_MS));
    emit(EVENTS.ROOM, {room, me});
  }
  function leave(message) {
    if (room === null) return;
    const id = room, mine = me;
    timers.forEach(clearInterval); timers = [];
    if (source) source.close();
    source = null; room = null; me = null; presenter = null; state = null; seq = -1; sent = null;
    panel.classList.add('hidden');
    document.body.classList.remove('room-following');
    lasers.replaceChildren();
    const startBtn = $('room-start'); if (startBtn) startBtn.hidden = false;
    history.replaceState(null, '', location.pathname);
    if (message) toast(message, 'info', 5000);
    // keepalive: the request outlives the page when this runs on pagehide
    return fetch(`/api/rooms/${id}/leave`, {method: 'POST', keepalive: true, credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', ...csrfHeaders('POST')},
      body: JSON.stringify({participant_id: mine})}).catch(() => {});
  }
  async function beat() {
    if (room === null) return;
    try { hear(await timed(() => api('POST', `/api/rooms/${room}/heartbeat`, {participant_id: me}))); } catch (err) {
      if (err.status === 401 || err.status === 404) leave('You are no longer in this session.');
    }
  }
  function openStream() {
    source = new EventSource(`/api/rooms/${room}/events?participant_id=${me}`);
    const on = (name, fn) => source.addEventListener(name, (e) => fn(JSON.parse(e.data)));
    on('hello', hear);  // also after a reconnect: the room as it is now
    on('state', (d) => { presenter = d.presenter_id; apply(d.seq, d.state); renderPeople(); });
    on('people', hear);
    on('pointer', showPointer);
    on('note', () => emit(EVENTS.NOTES_CHANGED));
    on('dropped', () => leave('You were removed from this session.'));
  }
  function hear(view) {
    if (view.participants) people = view.participants;
    if (view.presenter_id !== undefined) presenter = view.presenter_id;
    if (view.state) apply(view.seq, view.state);
    renderPeople();
  }

  // ---- presenter: publish what the player does ----------------------------------------------
  function snapshot() {
    const view = compare ? compare.view() : null;
    return {playing: !player.paused, time: Math.max(0, player.currentTime), at: serverNow(), rate: player.playbackRate,
            loop: !!player.loopShot, issue_id: focusIssue, compare: view};
  }
  function differs(now, last) {
    if (!last) return true;
    if (now.playing !== last.playing || now.rate !== last.rate || now.loop !== last.loop || now.issue_id !== last.issue_id) return true;
    if (JSON.stringify(now.compare) !== JSON.stringify(last.compare)) return true;
    if (!now.playing) return Math.abs(now.time - last.time) > 0.5 / FPS;  // a frame step or a seek while paused
    const expected = last.time + (now.at - last.at) * last.rate;
    return Math.abs(now.time - expected) > 0.3 || (now.at - last.at) * 1000 > ANCHOR_MS;
  }
  async function publish() {
    const now = snapshot();
    if (!differs(now, sent)) return;
    sent = now;
    try {
      const done = await api('POST', `/api/rooms/${room}/state`, {participant_id: me, ...now});
      seq = Math.max(seq, done.seq); state = done.state;
    } catch (err) {
      if (err.status === 409) { sent = null; beat(); }  // no longer presenting: hear who is
    }
  }

  // ---- follower: show the presenter's frame, keep pace while playing -------------------------
  function apply(newSeq, newState) {
    if (newSeq < seq) return;
    seq = newSeq; state = newState;
    if (presenting()) return;
    follow(true);
    focus(state.issue_id);
    mirrorCompare(state.compare);
  }
  function follow(fresh = false) {
    if (!state || presenting()) return;
    if (player.loopShot !== state.loop) player.loopShot = state.loop;
    if (seeking) return;
    if (!state.playing) {
      if (!player.paused) player.pause();
      if (player.playbackRate !== state.rate) player.playbackRate = state.rate;
      if (Math.abs(player.currentTime - state.time) > 0.5 / FPS) seekTo(state.time);
      return;
    }
    const target = state.time + (serverNow() - state.at) * state.rate;
    if (target >= player.duration) return;  // the presenter's next state says what happens at the end
    if (player.paused) { seekTo(target + 0.12, true); return; }  // a head start: starting takes a moment
    const drift = target - player.currentTime;
    const nowMs = performance.now();
    if (Math.abs(drift) > 0.75) { seekTo(target + 0.12, true); return; }
    if (nowMs - lastNudge < 400 && !fresh) return;
    lastNudge = nowMs;
    // Small drift is absorbed by playing a little faster or slower, never by a visible jump.
    const want = Math.abs(drift) > 1 / FPS ? state.rate * (1 + Math.max(-0.12, Math.min(0.12, drift))) : state.rate;
    if (Math.abs(player.playbackRate - want) > 0.004) player.playbackRate = want;
  }
  function seekTo(t, thenPlay = false) {
    // A seek that never settles (a stalled decoder on a starved machine) must not stop the following: give up
    // on it after a while and let the next tick try again.
    const gaveUp = new Promise((resolve) => setTimeout(resolve, 3000));
    const done = Promise.resolve(player.seek(Math.max(0, t))).then(() => { if (thenPlay && state && state.playing) return player.play(); });
    const mine = seeking = Promise.race([done, gaveUp]).catch(() => {}).finally(() => { if (seeking === mine) seeking = null; });
  }
  function focus(issueId) {
    if (issueId == null || issueId === focusIssue) return;
    focusIssue = issueId;
    document.querySelectorAll('#issue-list .issue').forEach((el) => el.classList.toggle('selected', Number(el.dataset.id) === issueId));
    const el = document.querySelector(`#issue-list .issue[data-id="${issueId}"]`);
    if (el) el.scrollIntoView({block: 'nearest'});
  }
  function mirrorCompare(view) {
    const c = compare;
    if (!c || !c.show) return;
    c.show(view).catch(() => {});
  }
  function tick() {
    if (room === null) return;
    document.body.classList.toggle('room-following', !presenting());
    if (presenting()) publish(); else follow();
  }

  // The presenter's note in focus: clicking a note or its pin.
  document.getElementById('issue-list')?.addEventListener('click', (e) => {
    const li = e.target.closest('.issue');
    if (li && (e.target.closest('.issue-seek') || e.target.closest('.issue-text'))) focusIssue = Number(li.dataset.id);
  });
  player.addEventListener('pinclick', (e) => { focusIssue = e.detail.id; });

  // ---- participants --------------------------------------------------------------------------
  function renderPeople() {
    if (room === null) return;
    const lead = people.find((p) => p.id === presenter);
    $('room-role').textContent = presenting() ? 'You are presenting' : `Following ${lead ? lead.name : '…'}`;
    $('room-people').innerHTML = people.map((p) => `<li class="room-person${p.id === presenter ? ' presenter' : ''}${p.id === me ? ' me' : ''}"
        data-id="${p.id}" title="${p.id === presenter ? 'Presenting' : (p.guest ? 'Guest' : 'Member')}">
        <span class="name">${esc(p.name)}</span>${p.id === presenter ? ' ▶' : ''}
        ${presenting() && p.id !== me ? `<button class="link hand" type="button" title="Make ${esc(p.name)} the presenter">Hand over</button>` : ''}</li>`).join('');
  }
  $('room-people').addEventListener('click', async (e) => {
    const button = e.target.closest('.hand'); if (!button) return;
    const to = Number(button.closest('.room-person').dataset.id);
    try { hear(await api('POST', `/api/rooms/${room}/presenter`, {participant_id: me, to_participant_id: to})); sent = null; }
    catch (err) { $('room-error').textContent = err.message; }
  });

  // ---- laser pointer -------------------------------------------------------------------------
  const lasers = document.createElement('div');
  lasers.className = 'room-lasers'; lasers.slot = 'overlay';
  player.appendChild(lasers);
  const dots = new Map();
  function picture() {
    // The picture inside the letterbox of the stage (clips are 16:9).
    const box = player.getBoundingClientRect();
    const stage = player.shadowRoot && player.shadowRoot.querySelector('.sp-stage');
    const r = stage ? stage.getBoundingClientRect() : box;
    const w = Math.min(r.width, r.height * 16 / 9), h = w * 9 / 16;
    return {left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, width: w, height: h, stage: r};
  }
  function showPointer(d) {
    if (d.participant_id === me) return;
    let dot = dots.get(d.participant_id);
    if (!dot) {
      dot = document.createElement('div'); dot.className = 'room-dot';
      dot.innerHTML = `<span>${esc(d.name)}</span>`;
      lasers.appendChild(dot); dots.set(d.participant_id, dot);
    }
    const p = picture();
    dot.hidden = !d.visible;
    dot.style.left = `${p.left - p.stage.left + d.x * p.width}px`;
    dot.style.top = `${p.top - p.stage.top + d.y * p.height}px`;
    clearTimeout(dot.fade);
    dot.fade = setTimeout(() => { dot.hidden = true; }, 4000);
  }
  let laserOn = false, lastPoint = 0, pointShown = false;
  const laserBtn = $('room-laser');
  laserBtn.addEventListener('click', () => {
    laserOn = !laserOn; laserBtn.setAttribute('aria-pressed', String(laserOn));
    if (!laserOn) point(null);
  });
  function point(e) {
    if (room === null) return;
    const nowMs = performance.now();
    if (e && nowMs - lastPoint < 60) return;  // about 16 a second is smooth enough
    lastPoint = nowMs;
    let body = {participant_id: me, x: 0, y: 0, visible: false};
    if (e) {
      const p = picture();
      const x = (e.clientX - p.left) / p.width, y = (e.clientY - p.top) / p.height;
      if (x < 0 || x > 1 || y < 0 || y > 1) { if (!pointShown) return; } else body = {participant_id: me, x, y, visible: true};
    }
    if (!body.visible && !pointShown) return;
    pointShown = body.visible;
    api('POST', `/api/rooms/${room}/pointer`, body).catch(() => {});
  }
  player.addEventListener('pointermove', (e) => { if (laserOn || e.shiftKey) point(e); });
  player.addEventListener('pointerleave', () => point(null));

  // ---- links ---------------------------------------------------------------------------------
  $('room-copy').addEventListener('click', async () => {
    const url = `${location.origin}/rooms/${room}`;
    try { await navigator.clipboard.writeText(url); toast('Session link copied', 'ok', 2000); }
    catch { $('room-invite-made').classList.remove('hidden'); $('room-invite-url').value = url; $('room-invite-url').select(); }
  });
  $('room-invite')?.addEventListener('click', async () => {
    try {
      const made = await api('POST', `/api/scenes/${sceneId}/share`, {allow_notes: true, expires_in_hours: 24});
      $('room-invite-made').classList.remove('hidden');
      $('room-invite-url').value = `${made.url}?room=${room}`;
      $('room-invite-url').select();
    } catch (err) { $('room-error').textContent = err.message; }
  });
  $('room-leave').addEventListener('click', () => leave());
  window.addEventListener('pagehide', () => { if (room !== null) leave(); });
  $('room-start')?.addEventListener('click', () => start().catch((err) => toast(err.message, 'error', 6000)));

  shortcuts('Live session', [['Shift + move', 'Show your pointer on the picture to the room']]);

  const asked = new URLSearchParams(location.search).get('room');
  if (asked && /^\d{1,18}$/.test(asked)) join(Number(asked));

  // For tests and benches: where the room is.
  return {
    get room() { return room; }, get me() { return me; }, get presenter() { return presenter; },
    get seq() { return seq; }, get state() { return state; }, get offset() { return offset; }, serverNow,
    people: () => people.map((p) => ({...p})), start, join, leave,
  };
}
