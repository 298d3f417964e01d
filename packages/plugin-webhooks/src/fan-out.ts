import { randomUUID } from 'node:crypto';
import type { AnyGatewayEvent } from '@zapgate/core';
import { type Queued, queueDeliveries } from './delivery/queue.js';
import { chatKeyOf, payloadOf, subscribedTo } from './events.js';
import { deliveriesRepo, type NewDelivery } from './repo/deliveries.js';
import type { SubscriptionCache } from './repo/subscription-cache.js';
import { sqlOf, type WebhooksContext } from './runtime.js';

/**
 * The durable `'*'` handler, for the waiting events of one session (core's event batches):
 * one delivery row per enabled subscription an event matches (the session's and the global
 * ones), and its `deliver` job, all in one transaction (two statements, one commit). The kernel
 * moves its cursor only after this returns, and a row is unique per (subscription, event), so
 * a crash at any point neither loses nor duplicates a delivery.
 */
export async function fanOut(
  events: readonly AnyGatewayEvent[],
  ctx: WebhooksContext,
  subscriptions: SubscriptionCache,
) {
  // Test events are queued for one subscription by the test route, never fanned out.
  const fanned = events.filter((event) => event.type !== 'webhook.test');
  if (fanned.length === 0) return;
  // one batch is one session's events (or those of no session)
  const enabled = await subscriptions.enabledFor(sqlOf(ctx), fanned[0]!.sessionId);
  const rows: (NewDelivery & Omit<Queued, 'id'>)[] = [];
  for (const event of fanned) {
    const targets = enabled.filter((s) => subscribedTo(s.events, event.type));
    if (targets.length === 0) continue;
    const payload = payloadOf(event, ctx.config.publicUrl);
    const chatKey = chatKeyOf(event);
    for (const subscription of targets) {
      rows.push({
        id: randomUUID(),
        subscriptionId: subscription.id,
        eventId: event.id,
        eventType: event.type,
        sessionId: event.sessionId,
        chatKey,
        payload,
        endpoint: subscription.endpoint,
        ordered: subscription.ordered,
      });
    }
  }
  if (rows.length === 0) return;
  const key = (row: { subscriptionId: string; eventId: string }) => `${row.subscriptionId}\n${row.eventId}`;
  // A handler that runs again (a crash before the cursor moved) finds the rows and queues what
  // is still pending: a delivery's job is keyed by its id, so it is never queued twice. Jobs
  // are queued in event order (an ordered subscription's lanes keep it).
  await ctx.store.transaction(async (tx) => {
    const written = new Map((await deliveriesRepo.insertMany(tx.sql!, rows)).map((w) => [key(w), w]));
    await queueDeliveries(
      ctx,
      rows.flatMap((row) => {
        const stored = written.get(key(row));
        return stored?.status === 'pending' ? [{ ...row, id: stored.id }] : [];
      }),
      tx,
    );
  });
}
