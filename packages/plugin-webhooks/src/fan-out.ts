import { randomUUID } from 'node:crypto';
import type { AnyGatewayEvent } from '@zapgate/core';
import { chatKeyOf, payloadOf, subscribedTo } from './events.js';
import { deliveriesRepo } from './repo/deliveries.js';
import { subscriptionsRepo } from './repo/subscriptions.js';
import { sqlOf, type WebhooksContext, type WebhooksRuntime } from './runtime.js';

/**
 * The durable `'*'` handler: one delivery row per enabled subscription the event matches
 * (the session's and the global ones). The kernel moves its cursor only after this returns,
 * and a row is unique per (subscription, event), so a crash at any point neither loses nor
 * duplicates a delivery.
 */
export async function fanOut(event: AnyGatewayEvent, ctx: WebhooksContext, runtime: WebhooksRuntime) {
  // Test events are queued for one subscription by the test route, never fanned out.
  if (event.type === 'webhook.test') return;
  const sql = sqlOf(ctx);
  const targets = (await subscriptionsRepo.enabledFor(sql, event.sessionId)).filter((s) =>
    subscribedTo(s.events, event.type),
  );
  if (targets.length === 0) return;
  const payload = payloadOf(event, ctx.config.publicUrl);
  const chatKey = chatKeyOf(event);
  const created = await deliveriesRepo.insertMany(
    sql,
    targets.map((subscription) => ({
      id: randomUUID(),
      subscriptionId: subscription.id,
      eventId: event.id,
      eventType: event.type,
      sessionId: event.sessionId,
      chatKey,
      payload,
    })),
  );
  if (created > 0) runtime.worker?.wake();
}
