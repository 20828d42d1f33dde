// What every page runs (base.html loads it before the page's own entry): the keyboard and its "?" sheet,
// the glossary's tooltips, in-place edits of the stage pages, the notes routed to a stage, and, for a
// signed-in member, notifications.
import { listenForKeys } from '../kit/keys.js';
import { explainStateWords } from '../glossary.js';
import '../app.js';
import { listenForNotifications } from '../notifications.js';
import { startRoutedNotes } from '../routed-notes.js';

listenForKeys();
explainStateWords();
startRoutedNotes();  // a stage's panel of review notes routed to it (_macros.html routed_issues)
// base.html draws the bell exactly when a member is signed in on a full page (not a bare one).
if (document.getElementById('notif-bell')) listenForNotifications();
