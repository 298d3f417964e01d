import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { newEvent } from './event-writer.js';

const reason = 'The gateway stopped before the message was sent; send it again';

/**
 * Sends are stored as `pending` and sent from memory; a crash in between would leave them
 * pending forever. On start, mark them `failed` (with why, and a `message.status` event) so
 * nothing is silently lost — in one transaction whatever the number of sessions. They are
 * not resent: the send may have gone out just before the crash, and WhatsApp has no way to ask.
 */
export async function failInterruptedSends(store: Store, logger: Logger): Promise<number> {
  const failed = await store.transaction(async (tx) => {
    const messages = await tx.messages.failPending(reason);
    await tx.events.appendMany(
      messages.map((message) =>
        newEvent('message.status', message.sessionId, {
          messageId: message.id,
          chatId: message.chatId,
          waid: message.waid,
          status: 'failed',
          previous: 'pending',
        }),
      ),
    );
    return messages.length;
  });
  if (failed > 0) logger.warn({ failed }, 'sends interrupted by the last stop were marked failed');
  return failed;
}

/**
 * Sessions stored as `connected` have no socket after a start until boot reconnects them
 * (at bounded concurrency, in the background): say so at once — `connecting`, announced —
 * in one statement, so no session claims a connection it does not have.
 */
export async function markReconnecting(store: Store): Promise<number> {
  return store.transaction(async (tx) => {
    const sessions = await tx.sessions.reassignStatus('connected', 'connecting', restartReason);
    await tx.events.appendMany(
      sessions.map((session) =>
        newEvent('session.status', session.id, {
          status: 'connecting',
          previous: 'connected',
          reason: restartReason,
          session,
        }),
      ),
    );
    return sessions.length;
  });
}

const restartReason = 'Reconnecting after a restart';
