import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { appendEvent } from './event-writer.js';

const reason = 'The gateway stopped before the message was sent; send it again';

/**
 * Sends are stored as `pending` and sent from memory; a crash in between would leave them
 * pending forever. On start, mark them `failed` (with why, and a `message.status` event) so
 * nothing is silently lost. They are not resent: the send may have gone out just before the
 * crash, and WhatsApp has no way to ask.
 */
export async function failInterruptedSends(store: Store, logger: Logger): Promise<number> {
  let failed = 0;
  for (const session of await store.sessions.list()) {
    for (;;) {
      const { items } = await store.messages.list(session.id, {
        status: 'pending',
        isFromMe: true,
        limit: 200,
      });
      let moved = 0;
      for (const message of items) {
        await store.transaction(async (tx) => {
          const change = await tx.messages.advanceStatus(session.id, message.chatId, message.waid, 'failed');
          if (!change) return;
          moved++;
          await tx.messages.update(session.id, message.id, {
            metadata: { ...change.message.metadata, error: reason },
          });
          await appendEvent(tx, 'message.status', session.id, {
            messageId: message.id,
            chatId: message.chatId,
            waid: message.waid,
            status: 'failed',
            previous: change.previous,
          });
        });
      }
      failed += moved;
      if (moved === 0) break; // nothing left that can move
    }
  }
  if (failed > 0) logger.warn({ failed }, 'sends interrupted by the last stop were marked failed');
  return failed;
}
