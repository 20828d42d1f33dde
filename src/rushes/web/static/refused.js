// A refusal page offers the way back only when there is somewhere to go back to (no inline script: the CSP).
export function startRefused() {
  const back = document.getElementById('refused-back');
  if (!back || history.length < 2) return;
  back.hidden = false;
  back.addEventListener('click', (e) => { e.preventDefault(); history.back(); });
}
