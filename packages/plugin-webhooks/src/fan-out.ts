import { randomUUID } from 'node:crypto';
import type { AnyGatewayEvent } from '@zapgate/core';
import { queueDeliveries } from './delivery/queue.js';
import { chatKeyOf, payloadOf, subscribedTo } from './events.js';
import { deliveriesRepo } from './repo/deliveries.js';
import { subscriptionsRepo } from './repo/subscriptions.js';
import { sqlOf, type WebhooksContext } from './runtime.js';

/**
 * The durable `'*'` handler: one delivery row per enabled subscription the event matches
 * (the session's and the global ones), and its `deliver` job. The kernel moves its cursor only
 * after this returns, and a row is unique per (subscription, event), so a crash at any point
 * neither loses nor duplicates a delivery.
 */
export async function fanOut(event: AnyGatewayEvent, ctx: WebhooksContext) {
  // Test events are queued for one subscription by the test route, never fanned out.
  if (event.type === 'webhook.test') return;
  const targets = (await subscriptionsRepo.enabledFor(sqlOf(ctx), event.sessionId)).filter((s) =>
    subscribedTo(s.events, event.type),
  );
  if (targets.length === 0) return;
  const payload = payloadOf(event, ctx.config.publicUrl);
  const chatKey = chatKeyOf(event);
  const rows = await deliveriesRepo.insertMany(
    sqlOf(ctx),
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
  // Two statements, no transaction: if this handler fails (or the process dies) in between,
  // the event is handled again and its still-pending deliveries are queued then (or at start);
  // a delivery's job is keyed by its id, so it is never queued twice.
  const byId = new Map(targets.map((s) => [s.id, s]));
  await queueDeliveries(
    ctx,
    rows
      .filter((row) => row.status === 'pending')
      .map((row) => {
        const subscription = byId.get(row.subscriptionId)!;
        return {
          id: row.id,
          subscriptionId: subscription.id,
          endpoint: subscription.endpoint,
          ordered: subscription.ordered,
          chatKey,
        };
      }),
  );
}
