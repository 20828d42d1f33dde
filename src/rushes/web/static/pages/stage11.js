// Stage 11, Confirm & Render: the take's order (model, resolution, sound, shots), its variants, its price.
import { orderTakeWith } from '../app.js';
import { startStage11Draws } from '../stage11-draws.js';
import { startStage11Order } from '../stage11-order.js';

const order = startStage11Order();
const takeOrder = order ? order.takeOrder : null;
if (takeOrder) orderTakeWith(takeOrder);
startStage11Draws(takeOrder);
