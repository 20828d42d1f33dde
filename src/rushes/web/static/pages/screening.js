// The screening room: the whole film in one <scene-player>, with notes pinned where it plays.
import '../scene-player.js';
import { expose } from '../kit/namespace.js';
import { startScreening } from '../screening.js';

expose('screening', startScreening());
