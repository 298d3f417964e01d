import type { Static, TSchema } from '@sinclair/typebox';
import type { AnyGatewayEvent, EventType, GatewayEvent } from '../contracts/events.js';
import type { GatewayApi } from '../gateway/api.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { Migration, SqlClient } from '../ports/sql.js';
import type { Repositories, Store } from '../ports/store.js';
import type { Scheduler } from './scheduler.js';

/** Settings of the host that plugins may read. */
export interface HostConfig {
  /** Base URL clients reach the server at, for links in payloads. @default undefined */
  publicUrl?: string;
  /** Directory for files the gateway keeps. @default './data' */
  dataDir?: string;
  /** Key (32+ chars) to encrypt secrets at rest; when absent, secrets are stored as given. */
  encryptionKey?: string;
  /**
   * Hosts or CIDR ranges that outgoing requests to user-given URLs (webhooks, Chatwoot, media)
   * may reach although private or loopback; everything else private is refused. @default []
   */
  allowPrivateUrls?: readonly string[];
  /**
   * How users of this host set `allowPrivateUrls`, named in every refusal of a private URL
   * (the reference server says `ZAPGATE_ALLOW_PRIVATE_URLS`). @default 'the allowPrivateUrls setting'
   */
  allowPrivateUrlsSetting?: string;
}

/** What a plugin's hooks, handlers and routes receive. */
export interface PluginContext<Options = unknown> {
  readonly pluginId: string;
  /** The plugin's options, defaulted, validated and frozen. */
  readonly options: Readonly<Options>;
  readonly store: Store;
  /** SQL for the plugin's own tables (present on SQL stores; required when it has migrations). */
  readonly sql: SqlClient | undefined;
  /** Sessions, messages and connections: what the REST API can do, as functions. */
  readonly gateway: GatewayApi;
  readonly logger: Logger;
  readonly config: Readonly<HostConfig>;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  /**
   * The host's outgoing-address policy: every request to a user-given URL goes through it
   * (`outgoing.fetch`, `outgoing.httpAgent`...). Extend it with the plugin's own allowlist.
   */
  readonly outgoing: OutgoingPolicy;
  /** Appends an event of the plugin's own (declared in `eventSchemas`) to the durable log. */
  emit<K extends EventType>(
    type: K,
    sessionId: string | null,
    data: GatewayEvent<K>['data'],
    tx?: Repositories,
  ): Promise<void>;
}

/** Who a route lets in. `session`: the admin key or the key of the `:sessionId` in the path. */
export type AuthScope = 'admin' | 'session' | 'public';

/** The caller of a route, as authenticated by the host. */
export type RequestAuth = { scope: 'admin' } | { scope: 'session'; sessionId: string } | { scope: 'public' };

/** TypeBox schemas of a route; the host validates with them and documents them in OpenAPI. */
export interface RouteSchema {
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  headers?: TSchema;
  /** Every status code the route returns, with its body schema. */
  response: Record<number, TSchema>;
}

type StaticOf<T> = T extends TSchema ? Static<T> : undefined;

/** A request as a route handler sees it, typed from the route's schemas. */
export interface RouteRequest<S extends RouteSchema = RouteSchema> {
  params: StaticOf<S['params']>;
  query: StaticOf<S['querystring']>;
  body: StaticOf<S['body']>;
  headers: Record<string, string | undefined>;
  auth: RequestAuth;
}

/** What a route handler returns. */
export interface RouteReply {
  /** @default 200 */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A REST route declared by a plugin; the server mounts it under `/v1`. */
export interface PluginRoute<S extends RouteSchema = RouteSchema, Options = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify-style path relative to `/v1`, e.g. `/sessions/:sessionId/webhooks`. */
  path: string;
  /** Unique across the whole API (the SDK's method name). */
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  auth: AuthScope;
  schema: S;
  handler(request: RouteRequest<S>, ctx: PluginContext<Options>): Promise<RouteReply>;
}

/**
 * Handles one event; throw to have it retried with backoff. Declared through a method so its
 * `ctx` parameter is bivariant: a plugin typed by its own options schema stays assignable to
 * `GatewayPlugin` (as its `setup` and route handlers already are), so `plugins: [webhooks()]` type-checks.
 */
export type EventHandler<E, Options> = {
  handle(event: E, ctx: PluginContext<Options>): Promise<void> | void;
}['handle'];

/** Handlers by exact event type, or by pattern (`*`, `message.*`) for several. */
export type PluginEventHandlers<Options> = {
  [K in EventType]?: EventHandler<GatewayEvent<K>, Options>;
} & {
  [pattern: `${string}*`]: EventHandler<AnyGatewayEvent, Options> | undefined;
};

/** A Zapgate plugin: a plain object, usually returned by a factory taking options. */
export interface GatewayPlugin<S extends TSchema = TSchema> {
  /** Unique, lower-kebab-case. */
  id: string;
  /** Semver of the plugin. */
  version: string;
  /** Plugins this one needs: id → semver range. They are set up first. */
  dependencies?: Record<string, string>;
  /** Range of `@zapgate/core` versions supported. @default any */
  coreVersion?: string;
  /** Schema of the options; validated (all problems at once), defaulted and frozen at boot. */
  optionsSchema?: S;
  /** The options given to the factory. */
  options?: unknown;
  /** The plugin's own tables, applied in order after its dependencies'. */
  migrations?: readonly Migration[];
  /** Payload schemas of events this plugin emits (documented under OpenAPI `webhooks`). */
  eventSchemas?: Record<string, TSchema>;
  /** Durable event handlers: at-least-once, in log order, retried with backoff. */
  events?: PluginEventHandlers<Static<S>>;
  // biome-ignore lint/suspicious/noExplicitAny: each route carries its own schema type
  routes?: readonly PluginRoute<any, Static<S>>[];
  setup?(ctx: PluginContext<Static<S>>): Promise<void> | void;
  teardown?(ctx: PluginContext<Static<S>>): Promise<void> | void;
}

/**
 * Declares a plugin with its types inferred from the options schema.
 *
 * @example
 * export const hello = (options: { greeting?: string } = {}) =>
 *   definePlugin({
 *     id: 'hello',
 *     version: '1.0.0',
 *     optionsSchema: Type.Object({ greeting: Type.String({ default: 'hi' }) }),
 *     options,
 *     events: { 'message.received': (event, ctx) => ctx.logger.info(ctx.options.greeting) },
 *   });
 */
export function definePlugin<S extends TSchema>(plugin: GatewayPlugin<S>): GatewayPlugin<S> {
  return plugin;
}

/** Declares a route with request types inferred from its schemas. */
export function defineRoute<S extends RouteSchema, Options = unknown>(
  route: PluginRoute<S, Options>,
): PluginRoute<S, Options> {
  return route;
}
