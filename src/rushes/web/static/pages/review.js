// The review page (stage 12): the player, notes and their tools, the live room, candidates, export, sharing.
// Parts start in this order; each one that others need answers a handle, passed to them here.
import '../scene-player.js';
import { expose } from '../kit/namespace.js';
import { toast } from '../kit/feedback.js';
import { startReview } from '../review.js';
import { startReviewCandidates } from '../review-candidates.js';
import { startReviewCompare } from '../review-compare.js';
import { startReviewComplete } from '../review-complete.js';
import { startReviewDraw } from '../review-draw.js';
import { startReviewExport } from '../review-export.js';
import { startReviewFilters } from '../review-filters.js';
import { startReviewKeys } from '../review-keys.js';
import { startReviewQc } from '../review-qc.js';
import { startReviewRange } from '../review-range.js';
import { startReviewReplies } from '../review-replies.js';
import { startReviewRoom } from '../review-room.js';
import { startReviewRoutes } from '../review-routes.js';
import { startReviewStatus } from '../review-status.js';
import { startShare } from '../share.js';

const compare = startReviewCompare() || null;
const review = startReview({ compare });
startReviewComplete(review);
startReviewQc();
startReviewReplies();
const range = startReviewRange(review);
startReviewDraw({ review, range });
startReviewFilters();
startReviewStatus();
const room = startReviewRoom(compare);
startReviewRoutes(review);
startReviewKeys();
const candidates = startReviewCandidates(review);
startReviewExport();
startShare();

// For tests and the console: window.rushes.review, .compare, .room, .candidates, .toast.
expose('review', review);
expose('compare', compare);
expose('room', room);
expose('candidates', candidates);
expose('toast', toast);
