// The studio's members page and the account page: invitations, roles, and one's own membership.
import { startMembers } from '../members.js';

startMembers();
