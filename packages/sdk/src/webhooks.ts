import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { ZapgateEvent } from './events.js';

export type { ZapgateEvent, ZapgateEventType } from './events.js';
export { isEventType, isMessageReceived, isMessageStatus, isSessionQr, isSessionStatus } from './events.js';

/** Headers of a delivery, as a plain object or a `Headers` instance. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** A delivery whose signature or timestamp did not verify. */
export class WebhookSignatureError extends Error {
  override readonly name = 'WebhookSignatureError';
}

function headerRecord(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) {
    headers.forEach((value, key) => {
      out[key.toLowerCase()] = value;
    });
    return out;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * Verifies a webhook delivery (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) with the subscription's `whsec_…` secret and returns the typed event.
 * Pass the raw body exactly as received. Throws {@link WebhookSignatureError} when it does not
 * verify (wrong secret, altered body, or a timestamp outside the 5-minute tolerance).
 *
 * @example
 * const event = verifyWebhook(rawBody, req.headers, process.env.ZAPGATE_WEBHOOK_SECRET!);
 * if (isMessageReceived(event)) console.log(event.data.message.content);
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): ZapgateEvent {
  const body = typeof rawBody === 'string' ? rawBody : new TextDecoder().decode(rawBody);
  try {
    return new Webhook(secret).verify(body, headerRecord(headers)) as ZapgateEvent;
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new WebhookSignatureError(error.message);
    throw error;
  }
}
