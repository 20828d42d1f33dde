// Stages 7 and 8: locking the stage, and the question a locked stage asks before an edit.
import { startLocks } from '../locks.js';

startLocks();
