import { isGatewayError } from '@zapgate/core';
import { failureOf } from '../error-codes.js';
import type { SessionBridge } from './session-bridge.js';

/** WhatsApp-side failures that pass: the session reconnects, WhatsApp answers later. */
const transientCodes = new Set([
  'SESSION_NOT_CONNECTED',
  'SESSION_CONNECTING',
  'SESSION_MOVING',
  'CONNECTOR_FAILED',
  'WHATSAPP_TIMEOUT',
  'STORE_FAILED',
  'GATEWAY_NOT_STARTED',
]);

/** True when a WhatsApp-side error is worth retrying (anything else fails the message for good). */
export function isTransientWhatsappError(error: unknown): boolean {
  return !isGatewayError(error) || transientCodes.has(error.code);
}

/** A short reason for agents. */
export function reasonOf(error: unknown): string {
  if (isGatewayError(error) && !error.code.startsWith('CHATWOOT_')) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tells the agents a message did not reach WhatsApp: the message is marked `failed` with the
 * reason (Chatwoot 4.2+; older versions answer 404, and only the note remains) and a private
 * note says why.
 */
export async function markFailedInChatwoot(
  bridge: SessionBridge,
  conversationId: number,
  chatwootMessageId: number,
  reason: string,
): Promise<void> {
  const o = bridge.signal ? { signal: bridge.signal } : {};
  await bridge.client.messages
    .updateStatus(conversationId, chatwootMessageId, 'failed', reason, o)
    .catch((error) => {
      if (failureOf(error)?.status !== 404) throw error;
    });
  await bridge.client.messages.create(
    conversationId,
    { content: `⚠️ Not delivered to WhatsApp: ${reason}`, messageType: 'outgoing', private: true },
    o,
  );
}
