import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { AnyGatewayEvent, EventType, GatewayEvent } from '../contracts/events.js';
import type { Message, SendOrigin } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';
import type { GatewayApi } from '../gateway/api.js';
import type { JobDefinition, PluginJobs } from '../jobs/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { Migration, SqlClient } from '../ports/sql.js';
import type { PluginRepositories, PluginStore } from '../ports/store.js';
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

/**
 * What a plugin's hooks, handlers and routes receive. `Emits` is the event types the plugin
 * declares (inferred by `definePlugin` from `eventSchemas`): `emit` takes only those.
 */
export interface PluginContext<
  Options = unknown,
  Emits extends string = string,
  Settings extends object = Record<string, unknown>,
> {
  readonly pluginId: string;
  /** The plugin's options, defaulted, validated and frozen. */
  readonly options: Readonly<Options>;
  /**
   * The store as plugins see it: sessions (read-only), chats, contacts, messages, the event
   * log and transactions over them; no Baileys credentials, Signal keys or API-key hashes.
   */
  readonly store: PluginStore;
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
  /** This plugin's per-session settings (declared by `sessionSettingsSchema`). */
  readonly settings: PluginSettings<Settings>;
  /**
   * Durable jobs of the names this plugin declares under `jobs`: enqueue (optionally in a
   * store transaction), delays, serial lanes, de-duplication, cancel. Needs a SQL store.
   */
  readonly jobs: PluginJobs;
  /**
   * Every event type this gateway can emit: core's and those of every installed plugin
   * (their `eventSchemas`), sorted. For checking user-given event filters.
   */
  readonly eventTypes: readonly string[];
  /**
   * Appends an event of the plugin's own to the durable log (in `tx` when given: it exists only
   * if that transaction commits). Only the types the plugin declares in `eventSchemas` are
   * accepted; any other type throws `PLUGIN_EVENT_NOT_DECLARED` and nothing is appended.
   */
  emit<K extends EventType & Emits>(
    type: K,
    sessionId: string | null,
    data: GatewayEvent<K>['data'],
    tx?: PluginRepositories,
  ): Promise<void>;
}

/**
 * A plugin's per-session settings, read with secrets in clear and defaults applied. Plugins
 * without a `sessionSettingsSchema` get `PLUGIN_HAS_NO_SETTINGS`. Typed by the schema in the
 * contexts `definePlugin` gives (setup, handlers, hooks); elsewhere `Record<string, unknown>`.
 */
export interface PluginSettings<Settings extends object = Record<string, unknown>> {
  /** This plugin's settings of a session, or `undefined` when unset. */
  get(sessionId: string): Promise<Settings | undefined>;
  /** Every session that has settings for this plugin. */
  list(): Promise<Array<{ sessionId: string; settings: Settings }>>;
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
  /**
   * The request body exactly as received, on routes declared with `rawBody: true` (an empty
   * buffer when there was none); `undefined` otherwise.
   */
  rawBody?: Buffer;
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
  /**
   * Keep the request body as received in `request.rawBody` (for signed callbacks: an HMAC is
   * over the exact bytes). JSON bodies are still parsed into `body`; other content types
   * reach the handler with `body` undefined. @default false
   */
  rawBody?: boolean;
  /**
   * Runs after authentication and body validation, before the handler: throw a `GatewayError`
   * (e.g. 401 or 403) to refuse the request. @default none
   */
  verify?(request: RouteRequest<S>, ctx: PluginContext<Options>): Promise<void> | void;
  /** Limits of this route, for public callbacks. @default the host's (body limit) and none (rate) */
  limits?: {
    /** Largest body in bytes (larger: 413). @default the host's body limit */
    bodyBytes?: number;
    /**
     * Requests per minute per client address (more: 429 `RATE_LIMITED` with `Retry-After`).
     * Counted per process. @default unlimited
     */
    perMinute?: number;
  };
  handler(request: RouteRequest<S>, ctx: PluginContext<Options>): Promise<RouteReply>;
}

/**
 * Handles one event; throw to have it retried with backoff. Declared through a method so its
 * `ctx` parameter is bivariant: a plugin typed by its own options schema stays assignable to
 * `GatewayPlugin` (as its `setup` and route handlers already are), so `plugins: [webhooks()]` type-checks.
 */
export type EventHandler<
  E,
  Options,
  Emits extends string = string,
  Settings extends object = Record<string, unknown>,
> = {
  handle(event: E, ctx: PluginContext<Options, Emits, Settings>): Promise<void> | void;
}['handle'];

/**
 * Handles several events at once instead of one by one: the events of one session (or of no
 * session) that are waiting, in log order, at most `tuning.events.batchSize` per call, so a
 * plugin can write them with one statement. Throwing retries them one event per call (the
 * usual path: backoff, a held-back session, dead letters), so a batch handler must also
 * handle a batch of one, and be idempotent like every event handler.
 */
export interface EventBatchHandler<
  E,
  Options,
  Emits extends string = string,
  Settings extends object = Record<string, unknown>,
> {
  batch(events: readonly E[], ctx: PluginContext<Options, Emits, Settings>): Promise<void>;
}

/**
 * Handlers by exact event type, or by pattern (`*`, `message.*`) for several: a function per
 * event, or an {@link EventBatchHandler} for several at once.
 */
export type PluginEventHandlers<
  Options,
  Emits extends string = string,
  Settings extends object = Record<string, unknown>,
> = {
  [K in EventType]?:
    | EventHandler<GatewayEvent<K>, Options, Emits, Settings>
    | EventBatchHandler<GatewayEvent<K>, Options, Emits, Settings>;
} & {
  [pattern: `${string}*`]:
    | EventHandler<AnyGatewayEvent, Options, Emits, Settings>
    | EventBatchHandler<AnyGatewayEvent, Options, Emits, Settings>
    | undefined;
};

/** What a {@link PluginHooks.beforeSend} hook is given. */
export interface BeforeSend {
  sessionId: string;
  /** The request as the previous hook left it (the caller's body for the first hook). */
  body: SendMessageBody;
  /** Who is sending (`api`, `plugin:<id>`). */
  origin: SendOrigin;
}

/** What a `beforeSend` hook returns: the body to send instead, or nothing to keep it. */
// biome-ignore lint/suspicious/noConfusingVoidType: a hook without a `return` returns `void`, and must type-check
export type BeforeSendResult = SendMessageBody | undefined | void;

/**
 * Hooks a plugin attaches to core's pipelines. Every hook of a kind runs in plugin dependency
 * order (a plugin's dependencies before it; otherwise in the order plugins were given), one
 * after the other, each awaited. Declared through methods so their `ctx` parameter is
 * bivariant (see {@link EventHandler}).
 */
export interface PluginHooks<
  Options = unknown,
  Emits extends string = string,
  Settings extends object = Record<string, unknown>,
> {
  /**
   * Runs on every send (REST, SDK and plugins' `ctx.gateway.messages.send`) before anything is
   * stored or sent, after the idempotency check (a retried request returns its first message
   * without running hooks). Return a changed body to send that instead (the next hook sees
   * it; it must still be a valid {@link SendMessageBody}), or nothing to keep it. Throw a
   * `GatewayError` to refuse the send: the caller gets that error (its status and code) and
   * nothing is stored or sent. Any other thrown error refuses the send too, as
   * `PLUGIN_HOOK_FAILED` (500), so a broken hook never lets through what it should stop.
   */
  beforeSend?(
    send: BeforeSend,
    ctx: PluginContext<Options, Emits, Settings>,
  ): Promise<BeforeSendResult> | BeforeSendResult;
  /**
   * Runs on every live inbound message received from someone else (`isFromMe: false`; not on
   * history, not on messages sent from the phone, not on edits, reactions or receipts) before
   * it is stored. Return `true` to mark it ignored for plugins: it is stored (and listed by
   * the API, with `metadata.ignoredBy` set to this plugin's id), its `message.received` event
   * is written (the SSE stream shows it), but no plugin's handler receives that event (exact
   * names and patterns such as `message.*` alike). Later events about the message (edits,
   * deletions, reactions, receipts) are delivered as usual; the stored message they name
   * carries `metadata.ignoredBy`. The first hook returning `true` decides; later hooks do
   * not run. A hook that throws is logged and counts as `false` (the message is delivered):
   * a broken filter never hides messages. It runs in the inbound path, so keep it fast.
   */
  ignoreInbound?(message: Message, ctx: PluginContext<Options, Emits, Settings>): Promise<boolean> | boolean;
}

/** The settings type of a settings schema (any settings when the schema is not known). */
type SettingsOf<T extends TObject> = TObject extends T ? Record<string, unknown> : Static<T>;

/** A Zapgate plugin: a plain object, usually returned by a factory taking options. */
export interface GatewayPlugin<
  S extends TSchema = TSchema,
  Emits extends string = string,
  T extends TObject = TObject,
> {
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
  /**
   * TypeBox object schema of this plugin's settings per session, edited over REST
   * (`/v1/sessions/{sessionId}/plugins/{pluginId}`) and read with `ctx.settings`. Top-level
   * string fields with `writeOnly: true` are secrets: sealed at rest, never returned in clear.
   * Each change appends `plugin.settings.updated` (`{ pluginId }`, with the session id).
   * @default none (the plugin has no per-session settings)
   */
  sessionSettingsSchema?: T;
  /** The plugin's own tables, applied in order after its dependencies'. */
  migrations?: readonly Migration[];
  /** Payload schemas of events this plugin emits (documented under OpenAPI `webhooks`). */
  eventSchemas?: Record<Emits, TSchema>;
  /**
   * Durable event handlers: at-least-once, in log order per session (sessions side by side),
   * retried with backoff; a failing event holds back only its own session's events for this
   * plugin and becomes a dead letter after the last attempt.
   */
  events?: PluginEventHandlers<Static<S>, Emits, SettingsOf<T>>;
  /** Hooks into the send and inbound pipelines (see {@link PluginHooks}). */
  hooks?: PluginHooks<Static<S>, Emits, SettingsOf<T>>;
  /**
   * Durable jobs by name (enqueued with `ctx.jobs.enqueue(name, payload)`): retried with
   * backoff, dead letters after the last attempt, optional cron schedule. Needs a SQL store.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each job carries its own payload type
  jobs?: Record<string, JobDefinition<any, Static<S>>>;
  /**
   * Where `events` handlers start when the plugin is new to the database: `'end'` sees only
   * events appended from its first start on; `'beginning'` replays every event still in the
   * log (see the gateway's `eventRetention`). Later starts resume where it left off.
   * @default 'end'
   */
  eventsStartAt?: 'end' | 'beginning';
  // biome-ignore lint/suspicious/noExplicitAny: each route carries its own schema type
  routes?: readonly PluginRoute<any, Static<S>>[];
  setup?(ctx: PluginContext<Static<S>, Emits, SettingsOf<T>>): Promise<void> | void;
  teardown?(ctx: PluginContext<Static<S>, Emits, SettingsOf<T>>): Promise<void> | void;
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
export function definePlugin<S extends TSchema, Emits extends string = never, T extends TObject = TObject>(
  plugin: GatewayPlugin<S, Emits, T>,
): GatewayPlugin<S, Emits, T> {
  return plugin;
}

/** Declares a route with request types inferred from its schemas. */
export function defineRoute<S extends RouteSchema, Options = unknown>(
  route: PluginRoute<S, Options>,
): PluginRoute<S, Options> {
  return route;
}
