// Review page, quality control: the take's QC findings as proposed notes, pinned on the player in their
// own style (player.proposals), each with its measure, threshold and proposed stage; Accept makes it a
// normal note (the issue list reloads on 'rushes:notes-changed'), Dismiss sets it aside.
import { EVENTS, emit } from './kit/events.js';
import { api } from './kit/api.js';
import { toast } from './kit/feedback.js';
import { can, esc } from './kit/html.js';
import { timecode as tc } from './kit/timecode.js';

export function startReviewQc() {
  const panel = document.getElementById('qc-panel');
  const player = document.getElementById('player');
  if (!panel || !player || !panel.dataset.takeId) return;
  const takeId = Number(panel.dataset.takeId);
  const list = panel.querySelector('.qc-list');
  const state = panel.querySelector('.qc-state');
  const LABELS = {
    start_frame_mismatch: 'Start frame missed', end_frame_mismatch: 'End frame missed', visual_jump: 'Look jump at cut',
    audio_jump: 'Loudness jump at cut', missing_audio: 'Missing sound', unexpected_audio: 'Unexpected sound',
    frozen: 'Frozen picture', black: 'Black picture', length: 'Wrong length',
  };
  const UNITS = {start_frame_mismatch: 'SSIM', end_frame_mismatch: 'SSIM', frozen: 's', black: 's', length: 's',
                 audio_jump: 'dB', visual_jump: ''};
  const triage = can('triage');  // accepting or dismissing a proposal is an editor's call
  let findings = [];
  let showDismissed = false;

  function measureText(f) {
    const unit = UNITS[f.kind] ?? (f.kind === 'missing_audio' || f.kind === 'unexpected_audio'
      ? (Math.abs(f.threshold) > 5 ? 'dBFS' : 's') : '');
    const n = (v) => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
    return `${n(f.measure)} ${unit} · threshold ${n(f.threshold)} ${unit}`.replace(/\s+·/, ' ·');
  }

  function render(view) {
    const proposed = findings.filter((f) => f.status === 'proposed');
    const dismissed = findings.filter((f) => f.status === 'dismissed');
    const status = view ? view.status : 'done';
    state.textContent = status === 'done'
      ? (findings.length ? `${proposed.length} proposed · ${findings.length - proposed.length - dismissed.length} accepted · ${dismissed.length} dismissed`
                         : 'no findings: every shot and cut passed')
      : status === 'failed' ? `QC failed: ${view.error || 'see the worker log'}`
      : status === 'none' ? 'not checked' : `checking (${status})…`;
    panel.dataset.status = status;
    player.proposals = proposed.map((f) => ({id: f.id, time: f.scene_time, kind: f.kind,
      label: `${f.shot_code} · ${LABELS[f.kind]} · ${f.message}`}));
    const shown = findings.filter((f) => showDismissed || f.status !== 'dismissed');
    list.innerHTML = shown.map((f) => `
      <li class="qc-finding qc-${f.status}" data-id="${f.id}" data-kind="${f.kind}" data-status="${f.status}">
        <button class="qc-seek" type="button" title="Go to frame ${f.frame}">
          <span class="tc">${tc(f.scene_time)}</span><span class="code">${esc(f.shot_code)}</span></button>
        <div class="qc-body">
          <div class="qc-line"><span class="qc-kind">${esc(LABELS[f.kind] || f.kind)}</span>
            <span class="to">→ Stage ${f.stage} ${esc(f.stage_title)}</span>
            <span class="qc-measure muted small">${esc(measureText(f))}</span>
            <span class="pill status-${f.status}">${f.status}</span></div>
          <div class="qc-text">${esc(f.message)}</div>
        </div>
        <div class="qc-actions">${f.status === 'accepted' || !triage ? '' : `
          <button class="btn btn-small btn-primary qc-accept" type="button">Accept as note</button>
          ${f.status === 'proposed' ? '<button class="btn btn-small qc-dismiss" type="button">Dismiss</button>' : ''}`}
        </div>
      </li>`).join('');
    const toggle = panel.querySelector('.qc-show-dismissed');
    toggle.hidden = dismissed.length === 0;
    toggle.textContent = showDismissed ? 'Hide dismissed' : `Show dismissed (${dismissed.length})`;
  }

  let timer = null;
  async function load() {
    clearTimeout(timer);
    try {
      const view = await api('GET', `/api/takes/${takeId}/qc`);
      findings = view.findings;
      render(view);
      // Findings land a few seconds after the take does; poll until QC is done.
      if (view.status === 'queued' || view.status === 'running') timer = setTimeout(load, view.take_finished ? 1000 : 3000);
    } catch (err) {
      state.textContent = `QC unavailable: ${err.message}`;
      timer = setTimeout(load, 5000);
    }
  }

  function select(id) {
    list.querySelectorAll('.qc-finding').forEach((el) => el.classList.toggle('selected', Number(el.dataset.id) === id));
    const el = list.querySelector(`.qc-finding[data-id="${id}"]`);
    if (el) el.scrollIntoView({block: 'nearest'});
  }

  player.addEventListener('proposalclick', (e) => select(e.detail.id));
  panel.querySelector('.qc-show-dismissed').addEventListener('click', () => { showDismissed = !showDismissed; render(); });
  list.addEventListener('click', async (e) => {
    const li = e.target.closest('.qc-finding'); if (!li) return;
    const id = Number(li.dataset.id);
    const finding = findings.find((f) => f.id === id);
    try {
      if (e.target.closest('.qc-accept')) {
        await api('POST', `/api/qc-findings/${id}/accept`);
        emit(EVENTS.NOTES_CHANGED);
        await load();
      } else if (e.target.closest('.qc-dismiss')) {
        await api('POST', `/api/qc-findings/${id}/dismiss`);
        await load();
      } else if (finding) {
        select(id);
        player.seek(finding.scene_time);
      }
    } catch (err) {
      toast(err.message, 'error');
    }
  });
  load();
}
