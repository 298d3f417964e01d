import { createHmac, randomUUID } from 'node:crypto';
import type { InboxRow } from './state.js';

/** One webhook request the fake made (or tried). */
export interface Delivery {
  deliveryId: string;
  event: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** HTTP status of the answer; 0 when the request failed (refused, timed out). */
  status: number;
  /** Milliseconds until the answer. */
  durationMs: number;
}

/** How to alter one delivery (tests forge, replay or age them). */
export interface DeliveryOverrides {
  deliveryId?: string;
  /** Unix seconds. @default now */
  timestamp?: number;
  /** Sign with this secret instead of the inbox's (null: unsigned). */
  secret?: string | null;
  /** Send this exact body instead of the serialised payload. */
  body?: string;
}

/**
 * The signature headers Chatwoot sends (lib/webhooks/trigger.rb, 4.12+ for account webhooks,
 * 4.13+ for API channels and agent bots): `X-Chatwoot-Delivery` (a UUID kept across retries),
 * `X-Chatwoot-Timestamp` (unix seconds) and, when the channel has a secret,
 * `X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
 */
export function chatwootSignatureHeaders(
  body: string,
  secret: string | null,
  deliveryId: string,
  timestamp: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-chatwoot-delivery': deliveryId,
    'x-chatwoot-timestamp': String(timestamp),
  };
  if (secret) {
    const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    headers['x-chatwoot-signature'] = `sha256=${digest}`;
  }
  return headers;
}

/** Sends webhooks to API inboxes one at a time, in the order they were made, like Chatwoot's job queue. */
export class WebhookSender {
  readonly deliveries: Delivery[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private inFlight = 0;

  /** Chatwoot gives a webhook 5 seconds. */
  constructor(private readonly timeoutMs = 5000) {}

  /** Queues the delivery of `payload` to the inbox's webhook URL (nothing when it has none). */
  send(
    inbox: InboxRow,
    payload: Record<string, unknown>,
    overrides: DeliveryOverrides = {},
  ): Promise<Delivery | null> {
    if (!inbox.webhookUrl) return Promise.resolve(null);
    const url = inbox.webhookUrl;
    this.inFlight += 1;
    const result = this.chain.then(() => this.post(url, inbox.secret, payload, overrides));
    this.chain = result.finally(() => {
      this.inFlight -= 1;
    });
    return result;
  }

  /** Resolves when every queued delivery has been answered. */
  async idle(): Promise<void> {
    while (this.inFlight > 0) await this.chain.catch(() => undefined);
  }

  private async post(
    url: string,
    inboxSecret: string | null,
    payload: Record<string, unknown>,
    overrides: DeliveryOverrides,
  ): Promise<Delivery> {
    const body = overrides.body ?? JSON.stringify(payload);
    const deliveryId = overrides.deliveryId ?? randomUUID();
    const timestamp = overrides.timestamp ?? Math.floor(Date.now() / 1000);
    const secret = overrides.secret === undefined ? inboxSecret : overrides.secret;
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...chatwootSignatureHeaders(body, secret, deliveryId, timestamp),
    };
    const started = performance.now();
    let status = 0;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      await response.arrayBuffer();
    } catch {
      status = 0;
    }
    const delivery: Delivery = {
      deliveryId,
      event: String(payload.event ?? ''),
      url,
      body,
      headers,
      status,
      durationMs: performance.now() - started,
    };
    this.deliveries.push(delivery);
    return delivery;
  }
}
