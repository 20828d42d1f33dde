// A stage that review notes were routed to: every noted shot is marked where it sits on this page, the one
// being followed (?shot=ID from the review page's "Open stage" link, or a note's "Show" link) is scrolled to,
// and each marked shot repeats its notes with the way back to that moment in review.
export function startRoutedNotes() {
  const box = document.getElementById('routed-issues');
  if (!box) return;
  const notes = [...box.querySelectorAll('.routed-note')];
  if (!notes.length) return;

  // The shot's own card or row (stages 7, 9, 10, 11), else on stage 8 the looks that shot draws on.
  function targets(shotId, code) {
    const own = [...document.querySelectorAll(`main [data-shot-id="${shotId}"]`)].filter((el) =>
      !box.contains(el) && !el.parentElement.closest(`[data-shot-id="${shotId}"]`));
    if (own.length) return own;
    return [...document.querySelectorAll('main .element-row[data-used-in]')].filter((el) =>
      el.dataset.usedIn.split(' ').includes(code));
  }

  function callout(target, shotId) {
    if (target.querySelector(':scope > .routed-callout')) return;
    const mine = notes.filter((li) => li.dataset.noteShot === String(shotId));
    const note = document.createElement('div');
    note.className = 'routed-callout small';
    note.dataset.routedCallout = String(shotId);
    mine.forEach((li) => {
      const line = document.createElement('div');
      const back = li.querySelector('[data-back-to-review]').cloneNode(true);
      line.append(`Note on ${li.dataset.noteCode} at ${li.querySelector('[data-timecode]').textContent}: `,
                  li.querySelector('.note-text').textContent, ' ', back);
      note.append(line);
    });
    target.prepend(note);
  }

  const marked = new Map();
  notes.forEach((li) => {
    const shotId = li.dataset.noteShot;
    if (marked.has(shotId)) return;
    const found = targets(shotId, li.dataset.noteCode);
    marked.set(shotId, found);
    found.forEach((el) => { el.classList.add('is-routed-target'); callout(el, shotId); });
  });

  function follow(shotId) {
    document.querySelectorAll('.routed-focus').forEach((el) => el.classList.remove('routed-focus'));
    notes.forEach((li) => li.classList.toggle('current', li.dataset.noteShot === String(shotId)));
    const found = marked.get(String(shotId)) || [];
    found.forEach((el) => el.classList.add('routed-focus'));
    if (found[0]) found[0].scrollIntoView({block: 'center'});
  }

  box.addEventListener('click', (e) => {
    const link = e.target.closest('[data-show-shot]');
    if (!link) return;
    e.preventDefault();
    history.replaceState(null, '', `?shot=${link.dataset.showShot}`);
    follow(link.dataset.showShot);
  });

  const asked = new URLSearchParams(location.search).get('shot');
  if (asked && marked.has(asked)) follow(asked);
}
