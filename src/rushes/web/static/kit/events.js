// The custom events the parts of a page tell each other, declared in one place. They are dispatched on
// `document`; a part that needs to know listens with on(), a part that changed something calls emit().

/**
 * Event names, and the `detail` each one carries.
 *   LOCKED           a save was refused because its stage is locked (locks.js offers to unlock) · no detail
 *   NOTIFICATION     a notification arrived over the event stream · detail: the notification row {id, kind, …}
 *   ISSUES_RENDERED  the review page drew its list of notes · detail: {issues: Array<note>}
 *   NOTES_CHANGED    notes changed elsewhere (a reply, a status, QC, the live room): redraw them · no detail
 *   NOTE_PINNED      a new note was pinned at the playhead (drafts of range and drawing end) · no detail
 *   CUT_CHANGED      the scene's cut changed in place (a candidate picked) · detail: {cut}
 *   ROOM             this page joined a live review session · detail: {room, me}
 */
export const EVENTS = Object.freeze({
  LOCKED: 'rushes:locked',
  NOTIFICATION: 'rushes:notification',
  ISSUES_RENDERED: 'rushes:issues-rendered',
  NOTES_CHANGED: 'rushes:notes-changed',
  NOTE_PINNED: 'rushes:note-pinned',
  CUT_CHANGED: 'rushes:cut-changed',
  ROOM: 'rushes:room',
});

const KNOWN = new Set(Object.values(EVENTS));

function known(name) {
  if (!KNOWN.has(name)) throw new Error(`undeclared page event ${name}: declare it in kit/events.js`);
  return name;
}

/** Tells the page `name` happened (one of EVENTS), with `detail` as documented there. */
export function emit(name, detail) {
  document.dispatchEvent(new CustomEvent(known(name), detail === undefined ? {} : { detail }));
}

/** Calls `handler(detail, event)` each time `name` (one of EVENTS) happens. */
export function on(name, handler) {
  document.addEventListener(known(name), (e) => handler(e.detail, e));
}
