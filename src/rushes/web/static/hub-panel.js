// The Script Hub's side panel: selecting a scene (a click on its row, or Enter / Space on the focused row)
// shows its stages and what changed. The page draws only the selected scene's panel, so it does not grow
// with panels nobody opens; another scene's panel is fetched once (GET /scenes/{id}/hub-panel) and kept.
export function startHubPanel() {
  const list = document.getElementById('scene-list');
  const aside = document.getElementById('scene-detail');
  if (!list || !aside) return;
  const empty = aside.querySelector('[data-detail-empty]');
  const fetched = new Map();  // scene id -> promise of its panel element, while loading and after
  let wanted = null;

  const drawn = (id) => aside.querySelector(`[data-detail-for="${CSS.escape(id)}"]`);

  function load(id) {
    if (!fetched.has(id)) {
      const promise = fetch(`/scenes/${encodeURIComponent(id)}/hub-panel`, {headers: {Accept: 'text/html'}})
        .then(async (response) => {
          // A lapsed session answers with the sign-in page (after a redirect), not a panel.
          if (!response.ok || response.redirected) throw new Error(response.redirected ? 'please sign in again' : `the server answered ${response.status}`);
          const holder = document.createElement('template');
          holder.innerHTML = await response.text();
          const panel = holder.content.querySelector('[data-detail-for]');
          if (!panel) throw new Error('the answer was not a scene panel');
          panel.classList.add('hidden');
          aside.insertBefore(panel, empty);
          return panel;
        });
      promise.catch(() => fetched.delete(id));  // selecting it again retries
      fetched.set(id, promise);
    }
    return fetched.get(id);
  }

  function show(id) {
    aside.querySelectorAll('[data-detail-for]').forEach((p) => p.classList.toggle('hidden', p.dataset.detailFor !== id));
    aside.querySelectorAll('[data-detail-error]').forEach((p) => p.remove());
    if (empty) empty.classList.add('hidden');
  }

  async function select(row) {
    const id = row.dataset.sceneId;
    wanted = id;
    list.querySelectorAll('.scene-row.selected').forEach((r) => r.classList.remove('selected'));
    row.classList.add('selected');
    history.replaceState(null, '', `?scene=${id}`);
    if (drawn(id)) { show(id); return; }
    aside.setAttribute('aria-busy', 'true');  // the panel shown so far is dimmed until the new one is in
    try {
      await load(id);
      if (wanted === id) show(id);
    } catch (err) {
      if (wanted !== id) return;
      show(null);
      const note = document.createElement('p');
      note.className = 'notice notice-warn';
      note.dataset.detailError = id;
      note.textContent = `Could not show this scene's stages: ${err.message}. Select it again to retry.`;
      aside.insertBefore(note, empty);
    } finally {
      if (wanted === id) aside.removeAttribute('aria-busy');
    }
  }

  list.addEventListener('click', (event) => {
    const row = event.target.closest('.scene-row');
    if (row && !event.target.closest('a, button')) select(row);
  });
  list.addEventListener('keydown', (event) => {
    const row = event.target.closest('.scene-row');
    if (row && event.target === row && (event.key === 'Enter' || event.key === ' ')) { event.preventDefault(); select(row); }
  });
}
