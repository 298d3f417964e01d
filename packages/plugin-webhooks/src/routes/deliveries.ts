import { defineRoute } from '@zapgate/core';
import type { WebhooksContext } from '../runtime.js';
import { assertSession, listDeliveries, redeliver, redeliverFailed, sendTest } from '../service.js';
import { DeliveryPage, DeliveryQuery, RedeliveredCount, WebhookDelivery, withErrors } from './schemas.js';
import { authOf, opId, paramsWith, type RouteScope } from './scope.js';
import type { Route } from './subscriptions.js';

const tags = ['webhooks'];

/** Test, list-deliveries and redelivery routes of one scope. */
export function deliveryRoutes(scope: RouteScope): Route[] {
  const { auth } = scope;
  const item = `${scope.base}/:webhookId`;
  return [
    defineRoute({
      method: 'POST',
      path: `${item}/test`,
      operationId: opId(scope, 'test', 'Webhook'),
      summary: 'Send a test event to a webhook subscription',
      description:
        'Queues a signed `webhook.test` event for this subscription only; the answer is its delivery.',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        response: withErrors({ 202: WebhookDelivery }, [403, 404, 409]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return { status: 202, body: await sendTest(ctx, sessionId, request.params.webhookId) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: `${item}/deliveries`,
      operationId: opId(scope, 'list', 'WebhookDeliveries'),
      summary: 'List the deliveries of a webhook subscription',
      description:
        'Newest first, filtered by status, event type and creation time; pass `nextCursor` as `cursor`.',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        querystring: DeliveryQuery,
        response: withErrors({ 200: DeliveryPage }, [400, 403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        const { limit, ...filter } = request.query ?? {};
        return {
          body: await listDeliveries(ctx, sessionId, request.params.webhookId, {
            ...filter,
            limit: limit ?? 50,
          }),
        };
      },
    }),
    defineRoute({
      method: 'POST',
      path: `${item}/deliveries/:deliveryId/redeliver`,
      operationId: opId(scope, 'redeliver', 'WebhookDelivery'),
      summary: 'Send a delivery again',
      description:
        'A succeeded or failed delivery is queued again with a fresh retry schedule and the same ' +
        '`webhook-id` (the event id), so receivers that deduplicate see it once.',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId', 'deliveryId'),
        response: withErrors({ 202: WebhookDelivery }, [403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        const { webhookId, deliveryId } = request.params;
        return { status: 202, body: await redeliver(ctx, sessionId, webhookId, deliveryId) };
      },
    }),
    defineRoute({
      method: 'POST',
      path: `${item}/redeliver-failed`,
      operationId: opId(scope, 'redeliverFailed', 'WebhookDeliveries'),
      summary: 'Send every failed delivery of a webhook subscription again',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        response: withErrors({ 202: RedeliveredCount }, [403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return {
          status: 202,
          body: { count: await redeliverFailed(ctx, sessionId, request.params.webhookId) },
        };
      },
    }),
  ];
}
