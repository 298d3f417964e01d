import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Gateway, Migration, RequestAuth } from '@zapgate/core';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { RouteAuth } from './auth.js';
import type { SessionKeys } from './session-keys.js';

/** A Fastify instance typed with the TypeBox provider (what route files receive). */
export type ZapgateInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** One mounted API route, as listed in {@link ZapgateDecoration.routeTable}. */
export interface RouteInfo {
  method: string;
  /** Full path, e.g. `/v1/sessions/:sessionId`. */
  url: string;
  operationId: string;
  auth: RouteAuth;
  /** The plugin that declared it, for plugin routes. */
  pluginId?: string;
}

/** What route files share. */
export interface RouteContext {
  gateway: Gateway;
  adminKey: string;
  /** @default 15000 */
  sseKeepAliveMs: number;
  /** Migration lists of owners other than plugins (the store's own), for the admin route. */
  knownMigrations: () => Record<string, readonly Migration[]>;
  /** Open event streams, ended when the server closes. */
  streams: Set<() => void>;
  /** Session keys resolved recently (forget a session's after rotating or deleting). */
  keys: SessionKeys;
}

/** What `app.zapgate` holds once {@link zapgateRoutes} is registered. */
export interface ZapgateDecoration {
  gateway: Gateway;
  /** Every route under the API prefix, filled as routes are registered. */
  routeTable: RouteInfo[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route. @default 'admin' */
    auth?: RouteAuth;
    /** The route also accepts `multipart/form-data` (documented in OpenAPI). */
    multipart?: boolean;
    pluginId?: string;
  }
  interface FastifyRequest {
    /** The authenticated caller (set before validation). */
    auth: RequestAuth;
  }
  interface FastifyInstance {
    zapgate: ZapgateDecoration;
  }
}
