import type { Migration } from '@zapgate/core';
import { sessions } from './001-sessions.js';
import { chatsAndContacts } from './002-chats-contacts.js';
import { messages } from './003-messages.js';
import { events } from './004-events.js';
import { auth } from './005-auth.js';
import { sessionOrder } from './006-session-order.js';
import { messageOrigin } from './007-message-origin.js';
import { eventPositions } from './008-event-positions.js';
import { pendingSends } from './009-pending-sends.js';
import { pluginSettings } from './010-plugin-settings.js';
import { deadLetters } from './011-dead-letters.js';
import { jobs } from './012-jobs.js';
import { sessionLeases } from './013-session-leases.js';
import { jobGroups } from './014-job-groups.js';
import { leaseOwnerKey } from './015-lease-owner-key.js';

/** The owner name core tables are recorded under. */
export const coreOwner = 'core';

/** Core's tables, in order. Append new migrations; never edit or reorder applied ones. */
export const coreMigrations: readonly Migration[] = Object.freeze([
  sessions,
  chatsAndContacts,
  messages,
  events,
  auth,
  sessionOrder,
  messageOrigin,
  eventPositions,
  pendingSends,
  pluginSettings,
  deadLetters,
  jobs,
  sessionLeases,
  jobGroups,
  leaseOwnerKey,
]);
