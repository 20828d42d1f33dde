// The one window namespace, window.rushes: handles a page hands to tests and to the console
// (window.rushes.review, window.rushes.compare, …). Modules never read it; they import what they need.

export function expose(name, handle) {
  window.rushes = window.rushes || {};
  window.rushes[name] = handle;
}
