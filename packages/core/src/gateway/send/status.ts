import type { Message } from '../../contracts/message.js';
import type { SentMessage } from '../../ports/connector.js';
import type { MessageUpdate, NewEvent, Store } from '../../ports/store.js';
import { appendEvent, newEvent } from '../event-writer.js';

type Tx = Parameters<Parameters<Store['transaction']>[0]>[0];

/**
 * Sent, for several sends of one session in the caller's transaction: `pending → sent` in one
 * statement, and what a send taught us (media details, a poll's key) stored message by
 * message. Returns their `message.sent` events, in order, for the caller to append.
 */
export async function recordSentManyIn(
  tx: Tx,
  sends: readonly { pending: Message; sent: SentMessage }[],
): Promise<NewEvent[]> {
  const sessionId = sends[0]?.pending.sessionId;
  if (sessionId === undefined) return [];
  const moved = await tx.messages.advanceStatusMany(
    sessionId,
    sends.map(({ pending }) => ({ chatId: pending.chatId, waid: pending.waid })),
    'sent',
  );
  const byId = new Map(moved.map(({ message }) => [message.id, message]));
  const events: NewEvent[] = [];
  for (const { pending, sent } of sends) {
    // not moved: a receipt got there first (delivered, read); the message is as stored
    const message = byId.get(pending.id) ?? (await tx.messages.get(sessionId, pending.id))!;
    const change = sentDetails(message, sent.message);
    const final = change ? await tx.messages.update(sessionId, pending.id, change) : message;
    events.push(newEvent('message.sent', sessionId, { message: final }));
  }
  return events;
}

/** Failed: `pending → failed` with the reason, and `message.status`, in the caller's transaction. */
export async function recordFailedIn(tx: Tx, pending: Message, error: unknown): Promise<void> {
  const { sessionId, chatId, waid } = pending;
  const moved = await tx.messages.advanceStatus(sessionId, chatId, waid, 'failed');
  if (!moved) return;
  await tx.messages.update(sessionId, pending.id, {
    metadata: { ...moved.message.metadata, error: error instanceof Error ? error.message : String(error) },
  });
  await appendEvent(tx, 'message.status', sessionId, {
    messageId: pending.id,
    chatId,
    waid,
    status: 'failed',
    previous: moved.previous,
  });
}

/** Metadata the connector learns only by sending (a poll's vote key). */
const sentMetadataKeys = ['messageSecret'] as const;

/** What a send adds to the stored message (media details, metadata), or `null`. */
function sentDetails(stored: Message, sent: SentMessage['message']): MessageUpdate | null {
  const change: MessageUpdate = {};
  if (sent.mediaInfo && stored.mediaInfo) change.mediaInfo = { ...stored.mediaInfo, ...sent.mediaInfo };
  const learned = sentMetadataKeys.filter((key) => sent.metadata?.[key] !== undefined);
  if (learned.length)
    change.metadata = {
      ...stored.metadata,
      ...Object.fromEntries(learned.map((key) => [key, sent.metadata?.[key]])),
    };
  return Object.keys(change).length ? change : null;
}
