import type { Logger } from '../logger.js';
import type { HeldLease } from '../ports/leases.js';
import type { Repositories, Store } from '../ports/store.js';
import { newEvent } from './event-writer.js';

const reason = 'The gateway stopped before the message was sent; send it again';

/**
 * Sends are stored as `pending` and sent from memory; a crash in between would leave them
 * pending forever. On start, mark them `failed` (with why, and a `message.status` event) so
 * nothing is silently lost — in one transaction whatever the number of sessions. They are
 * not resent: the send may have gone out just before the crash, and WhatsApp has no way to ask.
 */
export async function failInterruptedSends(store: Store, logger: Logger): Promise<number> {
  const failed = await store.transaction((tx) => failPendingIn(tx));
  if (failed > 0) logger.warn({ failed }, 'sends interrupted by the last stop were marked failed');
  return failed;
}

async function failPendingIn(tx: Repositories, sessionIds?: readonly string[]): Promise<number> {
  const messages = await tx.messages.failPending(reason, sessionIds);
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
}

/**
 * Sessions stored as `connected` have no socket after a start until boot reconnects them
 * (at bounded concurrency, in the background): say so at once — `connecting`, announced —
 * in one statement, so no session claims a connection it does not have.
 */
export async function markReconnecting(store: Store): Promise<number> {
  return store.transaction((tx) => markReconnectingIn(tx));
}

async function markReconnectingIn(tx: Repositories, sessionIds?: readonly string[]): Promise<number> {
  const sessions = await tx.sessions.reassignStatus('connected', 'connecting', restartReason, sessionIds);
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
}

/**
 * Several nodes: what the previous owner of sessions this node just claimed left behind — its
 * pending sends (failed, as {@link failInterruptedSends} does) and a `connected` status without
 * a socket (`connecting`, as {@link markReconnecting} does) — settled for these sessions only,
 * in one transaction fenced by the new epochs (a node that lost them meanwhile writes nothing).
 */
export async function recoverClaimed(
  store: Store,
  claimed: readonly HeldLease[],
  logger: Logger,
): Promise<void> {
  const ids = claimed.map((lease) => lease.sessionId);
  const failed = await store.transaction(async (tx) => {
    await tx.leases?.check(claimed);
    await markReconnectingIn(tx, ids);
    return failPendingIn(tx, ids);
  });
  if (failed > 0) logger.warn({ failed }, 'sends interrupted on the previous owner node were marked failed');
}

const restartReason = 'Reconnecting after a restart';
