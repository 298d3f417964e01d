import type { PluginRepositories } from '@zapgate/core';
import { deliveriesRepo, type WaitingDelivery } from '../repo/deliveries.js';
import { sqlOf, type WebhooksContext } from '../runtime.js';
import type { DeliverJob } from './deliver-job.js';

/** A delivery to queue: its id, endpoint (the job's group) and, when ordered, its chat lane. */
export type Queued = Pick<WaitingDelivery, 'id' | 'subscriptionId' | 'endpoint' | 'ordered' | 'chatKey'>;

/**
 * Queues one `deliver` job per delivery, in one statement (`tx`: in that transaction). The
 * job's key is the delivery id, so a delivery already queued or being sent is not queued twice.
 */
export async function queueDeliveries(
  ctx: WebhooksContext,
  deliveries: readonly Queued[],
  tx?: PluginRepositories,
): Promise<number> {
  const ids = await ctx.jobs.enqueueMany<DeliverJob>(
    'deliver',
    deliveries.map((d) => ({
      payload: { deliveryId: d.id },
      options: {
        key: d.id,
        group: d.endpoint,
        // one lane per chat of an ordered subscription: its deliveries go one at a time, in order
        ...(d.ordered ? { lane: JSON.stringify([d.subscriptionId, d.chatKey]) } : {}),
      },
    })),
    tx ? { tx } : {},
  );
  return ids.length;
}

/**
 * Queues every delivery waiting for an attempt without a job (`subscriptionId`: only that
 * subscription's): at start (deliveries left by a version without jobs) and when a disabled
 * subscription is enabled again. Deliveries with a queued or running job are skipped (key).
 */
export async function queueWaiting(ctx: WebhooksContext, subscriptionId?: string): Promise<number> {
  let afterSeq = '0';
  let queued = 0;
  for (;;) {
    const page = await deliveriesRepo.waiting(sqlOf(ctx), {
      afterSeq,
      limit: 500,
      ...(subscriptionId ? { subscriptionId } : {}),
    });
    if (page.length === 0) return queued;
    queued += await queueDeliveries(ctx, page);
    afterSeq = page.at(-1)!.seq;
  }
}
