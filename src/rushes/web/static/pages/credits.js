// The credits page: what the studio's owner may do with its balance.
import { startCreditsOwner } from '../credits-owner.js';

startCreditsOwner();
