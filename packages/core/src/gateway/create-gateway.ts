import type { TSchema } from '@sinclair/typebox';
import { coreEventSchemas, matchesEventPattern, type StoredEvent } from '../contracts/events.js';
import { defaultSessionSettings } from '../contracts/session.js';
import { GatewayError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { type Metrics, noopMetrics } from '../metrics.js';
import { type ResolvedPlugin, resolvePlugins } from '../plugin/resolve.js';
import { createScheduler, type Scheduler } from '../plugin/scheduler.js';
import type { GatewayPlugin, HostConfig, PluginContext, PluginRoute } from '../plugin/types.js';
import type { Connector } from '../ports/connector.js';
import type { MediaStore } from '../ports/media.js';
import type { Store } from '../ports/store.js';
import type { GatewayApi, SessionsApi } from './api.js';
import { DurableConsumer } from './consumer.js';
import { appendEvent } from './event-writer.js';
import { Ingest } from './ingest.js';
import { fetchMediaUnfiltered, type MediaFetcher } from './media.js';
import { createMessagesApi } from './messages-api.js';
import { type GatewayTuning, resolveTuning } from './options.js';
import { failInterruptedSends } from './recovery.js';
import { SessionManager } from './session-manager.js';
import { createChatsApi, createContactsApi, createGroupsApi, createProfileApi } from './whatsapp-api.js';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  store: Store;
  connector: Connector;
  /** Plugin values, e.g. `[webhooks(), chatwoot({...})]`. @default [] */
  plugins?: readonly GatewayPlugin[];
  /** @default a silent logger */
  logger?: Logger;
  /** @default metrics that go nowhere */
  metrics?: Metrics;
  /** Host settings plugins may read. @default {} */
  config?: HostConfig;
  /** Where inbound media is kept. @default none (media is not downloaded) */
  mediaStore?: MediaStore;
  /** Fetches media referenced by URL in sends. @default `fetch` without address filtering */
  fetchMedia?: MediaFetcher;
  /** Reconnect, boot, event-delivery and media tunables (see {@link GatewayTuning}). */
  tuning?: Partial<{ [K in keyof GatewayTuning]: Partial<GatewayTuning[K]> }>;
  /** Identity of this process for consumer leases. @default a random UUID */
  instanceId?: string;
}

/** A plugin route with the context its handler runs in. */
export interface MountedRoute {
  pluginId: string;
  route: PluginRoute;
  ctx: PluginContext;
}

/** A running gateway: the API plus lifecycle and what a host needs to mount plugins. */
export interface Gateway extends GatewayApi {
  readonly store: Store;
  readonly logger: Logger;
  readonly plugins: readonly ResolvedPlugin[];
  /** Every plugin route, for the host to mount. */
  readonly routes: readonly MountedRoute[];
  /** Event type → payload schema, core's and every plugin's. */
  readonly eventSchemas: Readonly<Record<string, TSchema>>;
  readonly mediaStore: MediaStore | undefined;
  /** Applies migrations, sets plugins up, starts consumers and reconnects stored sessions. */
  start(): Promise<void>;
  /** Resolves when the sessions connected at start have settled. */
  readonly booted: Promise<void>;
  /** Stops consumers, closes sockets, tears plugins down. Does not close the store. */
  stop(): Promise<void>;
}

/**
 * Builds a gateway. Plugin problems (duplicate id, missing dependency, bad options) throw a
 * {@link GatewayError} here, before anything starts.
 *
 * @example
 * const gateway = createGateway({ store: postgresStore(), connector: baileysConnector(), plugins: [webhooks()] });
 * await gateway.start();
 * const session = await gateway.sessions.create({ name: 'sales' });
 * await gateway.sessions.connect(session.id);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { store, connector } = options;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? noopMetrics;
  const config = Object.freeze({ ...options.config });
  const tuning = resolveTuning(options.tuning);
  const resolved = resolvePlugins(options.plugins ?? []);
  const instanceId = options.instanceId ?? crypto.randomUUID();

  for (const { plugin } of resolved) {
    if (plugin.migrations?.length && !store.sql) {
      throw new GatewayError(
        'PLUGIN_REQUIRES_SQL',
        `Plugin "${plugin.id}" keeps tables and needs a SQL store; "${store.kind}" has none`,
      );
    }
  }

  const ingest = new Ingest(store, tuning, logger.child({ component: 'ingest' }), options.mediaStore);
  const manager = new SessionManager(
    store,
    connector,
    tuning,
    logger.child({ component: 'sessions' }),
    ingest.handle,
  );

  const requireSession = async (id: string) => {
    const session = await store.sessions.get(id);
    if (!session) throw new GatewayError('SESSION_NOT_FOUND', `Session ${id} does not exist`);
    return session;
  };
  const connection = async (sessionId: string) => {
    const session = await requireSession(sessionId);
    const live = manager.connection(sessionId);
    if (!live || session.status !== 'connected') {
      throw new GatewayError(
        'SESSION_NOT_CONNECTED',
        `Session ${sessionId} is ${session.status}, not connected`,
      );
    }
    return live;
  };

  const sessions: SessionsApi = {
    // a taken name is refused by the store itself (SESSION_NAME_TAKEN), atomically
    async create(input, extra = {}) {
      return store.transaction(async (tx) => {
        const session = await tx.sessions.create({
          name: input.name,
          proxyUrl: input.proxyUrl ?? null,
          settings: { ...defaultSessionSettings, ...input.settings },
          apiKeyHash: extra.apiKeyHash ?? null,
        });
        await appendEvent(tx, 'session.status', session.id, {
          status: session.status,
          previous: session.status,
          reason: 'created',
          session,
        });
        return session;
      });
    },
    list: () => store.sessions.list(),
    get: requireSession,
    async update(id, patch) {
      const session = await requireSession(id);
      return store.sessions.update(id, {
        ...(patch.name ? { name: patch.name } : {}),
        ...(patch.proxyUrl !== undefined ? { proxyUrl: patch.proxyUrl } : {}),
        ...(patch.settings ? { settings: { ...session.settings, ...patch.settings } } : {}),
      });
    },
    async delete(id, { keepData = false } = {}) {
      await requireSession(id);
      if (keepData) await manager.disconnect(id, 'Session deleted');
      else await manager.logout(id);
      await manager.forget(id);
      await store.sessions.delete(id, { keepData });
    },
    async connect(id) {
      const session = await requireSession(id);
      if (session.status === 'connected' && manager.isActive(id)) return session;
      return manager.connect(id);
    },
    disconnect: async (id) => {
      await requireSession(id);
      return manager.disconnect(id);
    },
    logout: async (id) => {
      await requireSession(id);
      return manager.logout(id);
    },
    restart: async (id) => {
      await requireSession(id);
      return manager.restart(id);
    },
    async pairingCode(id, phoneNumber) {
      const session = await requireSession(id);
      if (session.status === 'connected')
        throw new GatewayError('SESSION_ALREADY_CONNECTED', `Session ${id} is already paired`);
      if (!manager.connection(id)) await manager.connect(id);
      const live = manager.connection(id);
      if (!live) throw new GatewayError('SESSION_NOT_CONNECTED', `Session ${id} could not open a socket`);
      return live.requestPairingCode(phoneNumber.replace(/\D/g, ''));
    },
    async qr(id) {
      const session = await requireSession(id);
      if (session.status !== 'qr' || !session.qr) {
        throw new GatewayError(
          'QR_NOT_AVAILABLE',
          `Session ${id} is ${session.status}; connect it first to get a QR code`,
        );
      }
      return session.qr;
    },
    async setApiKeyHash(id, hash) {
      await requireSession(id);
      await store.sessions.update(id, { apiKeyHash: hash });
    },
  };

  const messages = createMessagesApi({
    store,
    tuning,
    logger,
    fetchMedia: options.fetchMedia ?? fetchMediaUnfiltered,
    requireSession,
    connection,
  });

  const directory: GatewayApi['directory'] = {
    listChats: async (sessionId, filter) => {
      await requireSession(sessionId);
      return store.chats.list(sessionId, filter);
    },
    async getChat(sessionId, chatJid) {
      await requireSession(sessionId);
      const chat = await store.chats.get(sessionId, chatJid);
      if (!chat) throw new GatewayError('CHAT_NOT_FOUND', `Chat ${chatJid} does not exist`);
      return chat;
    },
    listContacts: async (sessionId, filter) => {
      await requireSession(sessionId);
      return store.contacts.list(sessionId, filter);
    },
    async getContact(sessionId, jid) {
      await requireSession(sessionId);
      const contact = await store.contacts.get(sessionId, jid);
      if (!contact) throw new GatewayError('CONTACT_NOT_FOUND', `Contact ${jid} does not exist`);
      return contact;
    },
  };

  const deps = { store, connection };
  const api: GatewayApi = {
    sessions,
    messages,
    directory,
    chats: createChatsApi(deps),
    contacts: createContactsApi(deps),
    groups: createGroupsApi(deps),
    profile: createProfileApi(deps),
    connection,
  };
  const schedulers: Scheduler[] = [];
  const contexts = new Map<string, PluginContext>();
  for (const { plugin, options: pluginOptions } of resolved) {
    const pluginLogger = logger.child({ plugin: plugin.id });
    const scheduler = createScheduler(pluginLogger);
    schedulers.push(scheduler);
    contexts.set(plugin.id, {
      pluginId: plugin.id,
      options: pluginOptions as Readonly<unknown>,
      store,
      sql: store.sql,
      gateway: api,
      logger: pluginLogger,
      config,
      scheduler,
      metrics,
      emit: async (type, sessionId, data, tx) => {
        if (tx) await appendEvent(tx, type, sessionId, data);
        else await store.transaction((t) => appendEvent(t, type, sessionId, data).then(() => {}));
      },
    });
  }

  const consumers = resolved
    .filter(({ plugin }) => plugin.events && Object.keys(plugin.events).length > 0)
    .map(({ plugin }) => {
      const ctx = contexts.get(plugin.id)!;
      const handlers = Object.entries(plugin.events ?? {}) as [
        string,
        (e: StoredEvent, c: PluginContext) => unknown,
      ][];
      return new DurableConsumer({
        name: `plugin:${plugin.id}`,
        owner: instanceId,
        store,
        logger: ctx.logger,
        tuning: tuning.events,
        async handle(event) {
          for (const [pattern, handler] of handlers) {
            if (handler && matchesEventPattern(pattern, event.type)) await handler(event, ctx);
          }
        },
      });
    });

  const eventSchemas: Record<string, TSchema> = { ...coreEventSchemas };
  for (const { plugin } of resolved) Object.assign(eventSchemas, plugin.eventSchemas);

  let started = false;
  let booted: Promise<void> = Promise.resolve();

  return {
    ...api,
    store,
    logger,
    plugins: resolved,
    routes: resolved.flatMap(({ plugin }) =>
      (plugin.routes ?? []).map((route) => ({
        pluginId: plugin.id,
        route: route as PluginRoute,
        ctx: contexts.get(plugin.id)!,
      })),
    ),
    eventSchemas,
    mediaStore: options.mediaStore,
    get booted() {
      return booted;
    },
    async start() {
      if (started) return;
      await store.init();
      await failInterruptedSends(store, logger);
      for (const { plugin } of resolved) {
        if (plugin.migrations?.length) await store.migrate(plugin.id, plugin.migrations);
      }
      for (const { plugin } of resolved) await plugin.setup?.(contexts.get(plugin.id)!);
      for (const consumer of consumers) consumer.start();
      started = true;
      booted = manager.boot().catch((error) => logger.error({ err: error }, 'boot failed'));
      logger.info(
        { store: store.kind, connector: connector.name, plugins: resolved.map((p) => p.plugin.id) },
        'gateway started',
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      await booted;
      await Promise.all(consumers.map((c) => c.stop()));
      await manager.stop();
      for (const { plugin } of [...resolved].reverse()) {
        await Promise.resolve(plugin.teardown?.(contexts.get(plugin.id)!)).catch((error) =>
          logger.error({ err: error, plugin: plugin.id }, 'plugin teardown failed'),
        );
      }
      await Promise.all(schedulers.map((s) => s.stop()));
      logger.info('gateway stopped');
    },
  };
}
