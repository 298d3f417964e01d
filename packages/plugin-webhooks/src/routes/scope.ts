import { type TObject, Type } from '@sinclair/typebox';
import type { AuthScope, RequestAuth } from '@zapgate/core';
import type { WebhooksRuntime } from '../runtime.js';

/** Where a set of webhook routes lives: under a session, or global (admin). */
export interface RouteScope {
  /** Path of the collection, e.g. `/sessions/:sessionId/webhooks`. */
  base: string;
  auth: AuthScope;
  /** Inserted in operation ids: `createSessionWebhook` vs `createWebhook`. */
  opInfix: '' | 'Session';
  /** Path parameters of the collection. */
  params: TObject;
  /** The session the request is about (`null`: global subscriptions). */
  sessionOf(params: Record<string, string>): string | null;
  runtime: WebhooksRuntime;
}

/** The operation id of `verb` + (`Session`) + `rest`. */
export const opId = (scope: RouteScope, verb: string, rest: string) => `${verb}${scope.opInfix}${rest}`;

const Uuid = Type.String({ format: 'uuid' });

/** Path parameters plus `webhookId`, and `deliveryId` when asked. */
export function paramsWith(scope: RouteScope, name: 'webhookId'): TObject<{ webhookId: typeof Uuid }>;
export function paramsWith(
  scope: RouteScope,
  name: 'webhookId',
  name2: 'deliveryId',
): TObject<{ webhookId: typeof Uuid; deliveryId: typeof Uuid }>;
export function paramsWith(scope: RouteScope, ...names: string[]): TObject {
  return Type.Object({
    ...scope.params.properties,
    ...Object.fromEntries(names.map((name) => [name, Uuid])),
  });
}

/** The `auth` argument of the session check. */
export const authOf = (auth: RequestAuth) =>
  auth.scope === 'session' ? { scope: auth.scope, sessionId: auth.sessionId } : { scope: auth.scope };

/** The two scopes the plugin mounts. */
export function scopes(runtime: WebhooksRuntime): RouteScope[] {
  return [
    {
      base: '/sessions/:sessionId/webhooks',
      auth: 'session',
      opInfix: 'Session',
      params: Type.Object({ sessionId: Type.String({ format: 'uuid' }) }),
      sessionOf: (params) => params.sessionId ?? null,
      runtime,
    },
    {
      base: '/webhooks',
      auth: 'admin',
      opInfix: '',
      params: Type.Object({}),
      sessionOf: () => null,
      runtime,
    },
  ];
}
