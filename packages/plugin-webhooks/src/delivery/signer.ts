import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one request. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Signs a body with every given secret (the current one, and the previous one during its
 * rotation grace) using the `standardwebhooks` library. `id` is the event id, so receivers
 * can deduplicate retries and redeliveries on `webhook-id`.
 */
export function signPayload(
  secrets: readonly string[],
  id: string,
  body: string,
  at: Date = new Date(),
): SignatureHeaders {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}
