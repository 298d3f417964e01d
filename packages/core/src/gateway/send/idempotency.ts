import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';
import type { Message } from '../../contracts/message.js';
import type { SendMessageBody } from '../../contracts/outbound.js';
import { GatewayError } from '../../errors.js';
import type { Store } from '../../ports/store.js';
import type { SendOptions } from '../api.js';

/**
 * The hash a send request is remembered by under its idempotency key: the body (keys in a
 * stable order) and, for an upload, the file's digest, type and name.
 */
export function requestHash(body: SendMessageBody, upload: SendOptions['upload']): string {
  const file = upload && {
    sha256: createHash('sha256').update(upload.data).digest('hex'),
    mimeType: upload.mimeType,
    fileName: upload.fileName ?? null,
  };
  return createHash('sha256')
    .update(stringify({ body, upload: file ?? null }) ?? '')
    .digest('hex');
}

/**
 * The message an earlier request with the same key sent, or `null` for a first request. The
 * same key with another request is refused: answering with the first message would tell the
 * caller its new request was sent.
 */
export async function earlierSend(
  store: Store,
  sessionId: string,
  key: string,
  hash: string,
): Promise<Message | null> {
  const earlier = await store.messages.getByIdempotencyKey(sessionId, key);
  if (!earlier) return null;
  if (earlier.requestHash !== null && earlier.requestHash !== hash) {
    throw new GatewayError(
      'IDEMPOTENCY_KEY_REUSED',
      `Idempotency-Key "${key}" was already used for a different request (message ${earlier.message.id})`,
    );
  }
  return earlier.message;
}
