// The Script Hub: each rendering take's live progress in its scene row, and the selected scene's side panel.
import { startHubPanel } from '../hub-panel.js';
import { startTakeProgress } from '../take-progress.js';

startTakeProgress();
startHubPanel();
