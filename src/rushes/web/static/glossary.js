// One glossary for every page (rushes.domain.glossary): the state words (Fresh, Stale, Clip Missing,
// Continuity Broken, Outdated, Locked…) explain themselves as a tooltip wherever they show, also when a
// script writes them later. A title the page set itself (the reasons for a state) is kept after the meaning.
export function explainStateWords() {
  const data = document.getElementById('glossary-data');
  if (!data) return;
  const GLOSSARY = JSON.parse(data.textContent);
  const SELECTOR = '.pill, .status, .rail-state, .shot-state, [data-status], .pstate, .lock-state, [data-glossary]';
  const key = (s) => String(s || '').toLowerCase().replace(/[_›]/g, ' ').replace(/[()0-9]/g, '').replace(/\s+/g, ' ').trim();

  function explain(el) {
    const text = el.textContent || '';
    const word = el.dataset.glossary || key(text);
    // A container that merely carries a state (a page's root with data-status) is not the word itself.
    const short = text.trim().length <= 40 && !el.querySelector('div, section, p, li');
    const meaning = GLOSSARY[word] || (short ? GLOSSARY[key(el.dataset.state)] || GLOSSARY[key(el.dataset.status)] : undefined);
    if (!meaning) return;
    if (el.dataset.glossed === meaning) return;
    const own = el.dataset.ownTitle ?? (el.getAttribute('title') || '');
    el.dataset.ownTitle = own;
    el.dataset.glossed = meaning;
    el.title = own && !own.startsWith(meaning) ? `${meaning}\n${own}` : meaning;
    el.classList.add('glossed');
  }
  function scan(root) {
    if (root.matches && root.matches(SELECTOR)) explain(root);
    if (root.querySelectorAll) root.querySelectorAll(SELECTOR).forEach(explain);
  }
  scan(document.body);
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; scan(document.body); });
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}
