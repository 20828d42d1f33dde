// Review page, Export menu: the four files download through their plain links (the server names them);
// the MP4 of the whole cut is a worker job, so its entry starts the job, shows its progress, and then
// offers the file. Polling uses POST, which answers the status of the export it reuses, so no poll
// ever pulls the finished MP4 into the page just to learn that it is ready.
import { api, message } from './kit/api.js';

export function startReviewExport() {
  const menu = document.getElementById('export-menu');
  if (!menu || !menu.dataset.takeId) return;
  const url = `/api/takes/${Number(menu.dataset.takeId)}/export/mp4`;
  const start = menu.querySelector('.export-mp4');
  const box = menu.querySelector('.export-mp4-state');
  const bar = box.querySelector('progress');
  const text = box.querySelector('.export-mp4-text');
  const link = box.querySelector('.export-mp4-link');
  const POLL_MS = 700;
  let timer = null;

  function show(view) {
    box.classList.remove('hidden');
    menu.dataset.mp4 = view.status;
    bar.value = view.progress || 0;
    const done = view.status === 'done';
    bar.classList.toggle('hidden', done);
    link.classList.toggle('hidden', !done);
    if (done) {
      const mb = view.size_bytes ? ` · ${(view.size_bytes / 1048576).toFixed(1)} MB` : '';
      text.textContent = `ready${mb}${view.method === 'copy' ? ' · clips copied as rendered' : ''}`;
    } else if (view.status === 'failed') {
      text.textContent = `failed: ${view.error || 'see the worker log'}`;
    } else {
      text.textContent = view.status === 'running' ? `building… ${Math.round((view.progress || 0) * 100)}%` : 'queued…';
    }
    start.disabled = !(view.status === 'failed' || view.status === 'none');
  }

  async function poll() {
    timer = null;
    try {
      const view = await api('POST', url);
      show(view);
      if (view.status === 'queued' || view.status === 'running') timer = setTimeout(poll, POLL_MS);
    } catch (err) {
      box.classList.remove('hidden');
      text.textContent = message(err);
      start.disabled = false;
    }
  }

  start.addEventListener('click', () => {
    if (timer) return;
    start.disabled = true;
    poll();
  });
  // A click outside closes the menu, as menus do; a download inside keeps it open for the next one.
  document.addEventListener('click', (event) => {
    if (menu.open && !menu.contains(event.target)) menu.open = false;
  });
}
