// A refusal page: the way back, when there is one.
import { startRefused } from '../refused.js';

startRefused();
