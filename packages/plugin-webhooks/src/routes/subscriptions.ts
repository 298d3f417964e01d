import { Type } from '@sinclair/typebox';
import { defineRoute, Page, type PluginRoute } from '@zapgate/core';
import type { ResolvedWebhooksOptions } from '../options.js';
import { subscriptionsRepo } from '../repo/subscriptions.js';
import { sqlOf, type WebhooksContext } from '../runtime.js';
import {
  assertSession,
  createSubscription,
  listSubscriptions,
  publicSubscription,
  requireSubscription,
  rotateSecret,
  updateSubscription,
} from '../service.js';
import {
  CreateWebhookBody,
  NoContent,
  RotateSecretBody,
  UpdateWebhookBody,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
  withErrors,
} from './schemas.js';
import { authOf, opId, paramsWith, type RouteScope } from './scope.js';

// biome-ignore lint/suspicious/noExplicitAny: each route carries its own schema type
export type Route = PluginRoute<any, ResolvedWebhooksOptions>;
const tags = ['webhooks'];
const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(
    Type.String({ maxLength: 256, description: 'The `nextCursor` of the previous page' }),
  ),
});

/** Create, list, get, update, delete and rotate-secret routes of one scope. */
export function subscriptionRoutes(scope: RouteScope): Route[] {
  const { base, auth, runtime } = scope;
  const item = `${base}/:webhookId`;
  const what = scope.opInfix ? "the session's" : 'global';
  return [
    defineRoute({
      method: 'POST',
      path: base,
      operationId: opId(scope, 'create', 'Webhook'),
      summary: `Create a ${what === 'global' ? 'global' : 'session'} webhook subscription`,
      description: 'The answer carries the signing secret: it is shown only here and on rotation.',
      tags,
      auth,
      schema: {
        params: scope.params,
        body: CreateWebhookBody,
        response: withErrors({ 201: WebhookSubscriptionWithSecret }, [400, 403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params as Record<string, string>);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return { status: 201, body: await createSubscription(ctx, runtime, sessionId, request.body) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: base,
      operationId: opId(scope, 'list', 'Webhooks'),
      summary: `List ${what} webhook subscriptions`,
      tags,
      auth,
      schema: {
        params: scope.params,
        querystring: ListQuery,
        response: withErrors({ 200: Page(WebhookSubscription) }, [400, 403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params as Record<string, string>);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return { body: await listSubscriptions(ctx, sessionId, request.query ?? {}) };
      },
    }),
    defineRoute({
      method: 'GET',
      path: item,
      operationId: opId(scope, 'get', 'Webhook'),
      summary: 'Get a webhook subscription',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        response: withErrors({ 200: WebhookSubscription }, [403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return {
          body: publicSubscription(await requireSubscription(ctx, sessionId, request.params.webhookId)),
        };
      },
    }),
    defineRoute({
      method: 'PATCH',
      path: item,
      operationId: opId(scope, 'update', 'Webhook'),
      summary: 'Update a webhook subscription',
      description: 'Fields absent from the body keep their value; `enabled: true` re-enables a disabled one.',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        body: UpdateWebhookBody,
        response: withErrors({ 200: WebhookSubscription }, [400, 403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return { body: await updateSubscription(ctx, sessionId, request.params.webhookId, request.body) };
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: item,
      operationId: opId(scope, 'delete', 'Webhook'),
      summary: 'Delete a webhook subscription and its deliveries',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        response: withErrors({ 204: NoContent }, [403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        await requireSubscription(ctx, sessionId, request.params.webhookId);
        await subscriptionsRepo.delete(sqlOf(ctx), request.params.webhookId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'POST',
      path: `${item}/rotate-secret`,
      operationId: opId(scope, 'rotate', 'WebhookSecret'),
      summary: 'Rotate the signing secret of a webhook subscription',
      description:
        'The new secret is shown once. The previous one keeps signing, next to it, for `graceMs` ' +
        '(default: the plugin option `secretGraceMs`), so receivers can switch without losing deliveries.',
      tags,
      auth,
      schema: {
        params: paramsWith(scope, 'webhookId'),
        body: Type.Optional(RotateSecretBody),
        response: withErrors({ 200: WebhookSubscriptionWithSecret }, [400, 403, 404]),
      },
      async handler(request, ctx: WebhooksContext) {
        const sessionId = scope.sessionOf(request.params);
        await assertSession(ctx, sessionId, authOf(request.auth));
        return {
          body: await rotateSecret(ctx, runtime, sessionId, request.params.webhookId, request.body ?? {}),
        };
      },
    }),
  ];
}
