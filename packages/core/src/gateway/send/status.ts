import type { Message } from '../../contracts/message.js';
import type { SentMessage } from '../../ports/connector.js';
import type { MessageUpdate, Store } from '../../ports/store.js';
import { appendEvent } from '../event-writer.js';

type Tx = Parameters<Parameters<Store['transaction']>[0]>[0];

/** Sent: `pending → sent`, what the send taught us stored, and `message.sent`, in one transaction. */
export function recordSent(store: Store, pending: Message, sent: SentMessage): Promise<void> {
  return store.transaction((tx) => recordSentIn(tx, pending, sent));
}

/** {@link recordSent} inside a caller's transaction. */
export async function recordSentIn(tx: Tx, pending: Message, sent: SentMessage): Promise<void> {
  const { sessionId, chatId, waid } = pending;
  const moved = await tx.messages.advanceStatus(sessionId, chatId, waid, 'sent');
  const message = moved?.message ?? (await tx.messages.get(sessionId, pending.id))!;
  const change = sentDetails(message, sent.message);
  const final = change ? await tx.messages.update(sessionId, pending.id, change) : message;
  await appendEvent(tx, 'message.sent', sessionId, { message: final });
}

/** Failed: `pending → failed` with the reason, and `message.status`, in one transaction. */
export function recordFailed(store: Store, pending: Message, error: unknown): Promise<void> {
  return store.transaction((tx) => recordFailedIn(tx, pending, error));
}

/** {@link recordFailed} inside a caller's transaction. */
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
