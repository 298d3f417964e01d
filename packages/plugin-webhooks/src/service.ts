import { randomUUID } from 'node:crypto';
import {
  decodeCursor,
  encodeCursor,
  GatewayError,
  matchesEventPattern,
  type PageOf,
  pageSize,
} from '@zapgate/core';
import { monotonicFactory } from 'ulid';
import { queueDeliveries, queueWaiting } from './delivery/queue.js';
import { webhooksError } from './error-codes.js';
import type { WebhookPayload } from './events.js';
import { type DeliveryFilter, type DeliveryRecord, deliveriesRepo } from './repo/deliveries.js';
import { type SubscriptionFields, type SubscriptionRecord, subscriptionsRepo } from './repo/subscriptions.js';
import { secretsOf, sqlOf, type WebhooksContext, type WebhooksRuntime } from './runtime.js';
import { assertValidSecret, generateSecret } from './secrets.js';
import { checkWebhookUrl, webhookPolicy } from './url-policy.js';

const nextUlid = monotonicFactory();

/** Headers a subscription may not set: the transport's and the signature's. */
const reservedHeaders = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
]);

/** Input of {@link createSubscription}. */
export interface SubscriptionInput {
  url: string;
  events?: string[];
  enabled?: boolean;
  headers?: Record<string, string>;
  description?: string | null;
  ordered?: boolean;
  secret?: string;
}

/** A subscription as the API shows it (no secret). */
export type PublicSubscription = Omit<SubscriptionRecord, 'endpoint' | 'secret' | 'previousSecret'>;

/** A delivery as the API shows it. */
export type PublicDelivery = Omit<DeliveryRecord, 'seq' | 'subscriptionId' | 'chatKey' | 'nextAttemptAt'> & {
  webhookId: string;
  nextAttemptAt: string | null;
};

export function publicSubscription(record: SubscriptionRecord): PublicSubscription {
  const { endpoint: _e, secret: _s, previousSecret: _p, ...rest } = record;
  const live = rest.previousSecretExpiresAt && Date.parse(rest.previousSecretExpiresAt) > Date.now();
  return { ...rest, previousSecretExpiresAt: live ? rest.previousSecretExpiresAt : null };
}

export function publicDelivery(record: DeliveryRecord): PublicDelivery {
  const { seq: _s, subscriptionId, chatKey: _c, nextAttemptAt, ...rest } = record;
  const waiting = record.status === 'pending' || record.status === 'delivering';
  return { ...rest, webhookId: subscriptionId, nextAttemptAt: waiting ? nextAttemptAt : null };
}

function checkHeaders(headers: Record<string, string>): void {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (reservedHeaders.has(lower) || lower.startsWith('webhook-')) {
      throw webhooksError(
        'WEBHOOKS_INVALID_HEADER',
        `Header "${name}" is set by the gateway and cannot be overridden`,
      );
    }
  }
}

/**
 * Refuses `events` patterns that match no event type the gateway emits (core's and installed
 * plugins'): a subscription to `nope.*` would be accepted and never fire.
 */
export function checkEvents(ctx: WebhooksContext, events: readonly string[]): string[] {
  const unknown = events.filter(
    (pattern) => !ctx.eventTypes.some((type) => matchesEventPattern(pattern, type)),
  );
  if (unknown.length > 0) {
    throw webhooksError(
      'WEBHOOKS_UNKNOWN_EVENT',
      `events ${unknown.map((p) => `"${p}"`).join(', ')} match no event type; known types: ${ctx.eventTypes.join(', ')}`,
    );
  }
  return [...new Set(events)];
}

/** Checks the caller reaches `sessionId`, and that the session exists. */
export async function assertSession(
  ctx: WebhooksContext,
  sessionId: string | null,
  auth?: { scope: string; sessionId?: string },
) {
  if (sessionId === null) return;
  if (auth?.scope === 'session' && auth.sessionId !== sessionId) {
    throw new GatewayError('FORBIDDEN', 'This key does not reach that session', { statusCode: 403 });
  }
  await ctx.gateway.sessions.get(sessionId);
}

/** The subscription `id` of `sessionId` (`null`: global), or `WEBHOOKS_SUBSCRIPTION_NOT_FOUND`. */
export async function requireSubscription(ctx: WebhooksContext, sessionId: string | null, id: string) {
  const record = await subscriptionsRepo.get(sqlOf(ctx), id, sessionId);
  if (!record) throw webhooksError('WEBHOOKS_SUBSCRIPTION_NOT_FOUND', `Webhook ${id} does not exist`);
  return record;
}

/** A page of the subscriptions of `sessionId` (`null`: the global ones), oldest first. */
export async function listSubscriptions(
  ctx: WebhooksContext,
  sessionId: string | null,
  query: { limit?: number; cursor?: string },
): Promise<PageOf<PublicSubscription>> {
  const limit = pageSize(query.limit, 50, 200);
  const after = query.cursor
    ? (decodeCursor(
        query.cursor,
        (p) => p.length === 2 && p.every((x) => typeof x === 'string') && isUuid(p[1] as string),
      ) as [string, string])
    : undefined;
  if (after && Number.isNaN(Date.parse(after[0])))
    throw new GatewayError('INVALID_CURSOR', 'The cursor is not one this list returned');
  const rows = await subscriptionsRepo.list(sqlOf(ctx), sessionId, {
    limit: limit + 1,
    ...(after ? { after } : {}),
  });
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(publicSubscription),
    nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
  };
}

const isUuid = (value: string) =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

/** Creates a subscription; the answer carries the secret, the only time it is shown. */
export async function createSubscription(
  ctx: WebhooksContext,
  runtime: WebhooksRuntime,
  sessionId: string | null,
  input: SubscriptionInput,
): Promise<PublicSubscription & { secret: string }> {
  const endpoint = checkWebhookUrl(
    input.url,
    webhookPolicy(ctx.outgoing, ctx.options),
    ctx.options.httpsOnly,
  );
  checkHeaders(input.headers ?? {});
  if (input.secret !== undefined) assertValidSecret(input.secret);
  const secret = input.secret ?? generateSecret();
  const record = await subscriptionsRepo.insert(sqlOf(ctx), randomUUID(), {
    sessionId,
    url: input.url,
    endpoint,
    events: checkEvents(ctx, input.events ?? []),
    enabled: input.enabled ?? true,
    disabledReason: null,
    headers: input.headers ?? {},
    description: input.description ?? null,
    ordered: input.ordered ?? false,
    secret: secretsOf(runtime, ctx).seal(secret),
    previousSecret: null,
    previousSecretExpiresAt: null,
  });
  return { ...publicSubscription(record), secret };
}

/** Applies a partial update; enabling clears `disabledReason`. */
export async function updateSubscription(
  ctx: WebhooksContext,
  sessionId: string | null,
  id: string,
  patch: Partial<Omit<SubscriptionInput, 'secret'>>,
): Promise<PublicSubscription> {
  const current = await requireSubscription(ctx, sessionId, id);
  const fields: SubscriptionFields = { ...current };
  if (patch.url !== undefined) {
    fields.endpoint = checkWebhookUrl(
      patch.url,
      webhookPolicy(ctx.outgoing, ctx.options),
      ctx.options.httpsOnly,
    );
    fields.url = patch.url;
  }
  if (patch.headers !== undefined) {
    checkHeaders(patch.headers);
    fields.headers = patch.headers;
  }
  if (patch.events !== undefined) fields.events = checkEvents(ctx, patch.events);
  if (patch.description !== undefined) fields.description = patch.description;
  if (patch.ordered !== undefined) fields.ordered = patch.ordered;
  if (patch.enabled !== undefined) {
    fields.enabled = patch.enabled;
    fields.disabledReason = patch.enabled ? null : 'Disabled through the API';
  }
  const updated = await subscriptionsRepo.update(sqlOf(ctx), id, fields);
  // deliveries that waited while it was disabled go out now
  if (updated.enabled && !current.enabled) await queueWaiting(ctx, id);
  return publicSubscription(updated);
}

/** Replaces the secret; the old one keeps signing (both signatures sent) for `graceMs`. */
export async function rotateSecret(
  ctx: WebhooksContext,
  runtime: WebhooksRuntime,
  sessionId: string | null,
  id: string,
  input: { secret?: string; graceMs?: number },
): Promise<PublicSubscription & { secret: string }> {
  const current = await requireSubscription(ctx, sessionId, id);
  if (input.secret !== undefined) assertValidSecret(input.secret);
  const secret = input.secret ?? generateSecret();
  const graceMs = input.graceMs ?? ctx.options.secretGraceMs;
  const record = await subscriptionsRepo.update(sqlOf(ctx), id, {
    ...current,
    secret: secretsOf(runtime, ctx).seal(secret),
    previousSecret: graceMs > 0 ? current.secret : null,
    previousSecretExpiresAt: graceMs > 0 ? new Date(Date.now() + graceMs).toISOString() : null,
  });
  return { ...publicSubscription(record), secret };
}

/** Queues a `webhook.test` event for this subscription only. */
export async function sendTest(
  ctx: WebhooksContext,
  sessionId: string | null,
  id: string,
): Promise<PublicDelivery> {
  const subscription = await requireSubscription(ctx, sessionId, id);
  if (!subscription.enabled) {
    throw webhooksError('WEBHOOKS_SUBSCRIPTION_DISABLED', `Webhook ${id} is disabled; enable it first`);
  }
  const payload: WebhookPayload = {
    id: nextUlid(),
    type: 'webhook.test',
    sessionId,
    occurredAt: new Date().toISOString(),
    data: { webhookId: id, message: 'This is a test event from Zapgate' },
  };
  const deliveryId = randomUUID();
  await ctx.store.transaction(async (tx) => {
    await deliveriesRepo.insertMany(tx.sql!, [
      {
        id: deliveryId,
        subscriptionId: id,
        eventId: payload.id,
        eventType: payload.type,
        sessionId,
        chatKey: null,
        payload,
      },
    ]);
    await queueDeliveries(ctx, [queuedOf(subscription, deliveryId, null)], tx);
  });
  return publicDelivery((await deliveriesRepo.get(sqlOf(ctx), id, deliveryId))!);
}

export async function listDeliveries(
  ctx: WebhooksContext,
  sessionId: string | null,
  id: string,
  filter: DeliveryFilter,
): Promise<PageOf<PublicDelivery>> {
  await requireSubscription(ctx, sessionId, id);
  const page = await deliveriesRepo.list(sqlOf(ctx), id, filter);
  return { items: page.items.map(publicDelivery), nextCursor: page.nextCursor };
}

/** Sends a finished delivery again (same event id, a fresh retry schedule). */
export async function redeliver(
  ctx: WebhooksContext,
  sessionId: string | null,
  id: string,
  deliveryId: string,
): Promise<PublicDelivery> {
  const subscription = await requireSubscription(ctx, sessionId, id);
  const existing = await deliveriesRepo.get(sqlOf(ctx), id, deliveryId);
  if (!existing) throw webhooksError('WEBHOOKS_DELIVERY_NOT_FOUND', `Delivery ${deliveryId} does not exist`);
  const [updated] = await redeliverRows(ctx, subscription, [deliveryId]);
  return publicDelivery(updated ?? existing);
}

/** Sends every failed delivery of a subscription again. */
export async function redeliverFailed(
  ctx: WebhooksContext,
  sessionId: string | null,
  id: string,
): Promise<number> {
  const subscription = await requireSubscription(ctx, sessionId, id);
  return (await redeliverRows(ctx, subscription)).length;
}

/** Makes finished deliveries due again (`ids` absent: every failed one) and queues their jobs. */
function redeliverRows(ctx: WebhooksContext, subscription: SubscriptionRecord, ids?: readonly string[]) {
  return ctx.store.transaction(async (tx) => {
    const rows = await deliveriesRepo.redeliver(tx.sql!, subscription.id, ids);
    await queueDeliveries(
      ctx,
      rows.map((row) => queuedOf(subscription, row.id, row.chatKey)),
      tx,
    );
    return rows;
  });
}

const queuedOf = (subscription: SubscriptionRecord, id: string, chatKey: string | null) => ({
  id,
  subscriptionId: subscription.id,
  endpoint: subscription.endpoint,
  ordered: subscription.ordered,
  chatKey,
});
