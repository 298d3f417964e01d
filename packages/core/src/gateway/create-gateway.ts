import { setTimeout as sleep } from 'node:timers/promises';
import type { TSchema } from '@sinclair/typebox';
import { GatewayError } from '../errors.js';
import { registerJobs } from '../jobs/registry.js';
import { JobRunner } from '../jobs/runner.js';
import { type Logger, silentLogger } from '../logger.js';
import { type Metrics, noopMetrics } from '../metrics.js';
import { type OutgoingPolicy, outgoingPolicy } from '../net/outgoing-policy.js';
import { type ResolvedPlugin, resolvePlugins } from '../plugin/resolve.js';
import type { GatewayPlugin, HostConfig } from '../plugin/types.js';
import type { Connector } from '../ports/connector.js';
import type { LeaseOwner, NodeInfo } from '../ports/leases.js';
import type { MediaStore } from '../ports/media.js';
import type { Store } from '../ports/store.js';
import type { GatewayApi } from './api.js';
import type { DurableConsumer } from './consumer.js';
import { createDeadLettersApi, type DeadLettersApi, eventRetrier } from './dead-letters-api.js';
import { createDirectoryApi } from './directory-api.js';
import { gatewayMetrics, nodeMetrics } from './gateway-metrics.js';
import { createHookRunner } from './hooks.js';
import { Ingest } from './ingest.js';
import { ingestWithRetry } from './ingest-retry.js';
import { createLifecycle } from './lifecycle.js';
import { guardedMediaFetcher, type MediaFetcher } from './media.js';
import { createMessagesApi } from './messages-api.js';
import { type GatewayTuning, resolveTuning } from './options.js';
import { createOwnership } from './ownership.js';
import { createPluginConsumers } from './plugin-consumers.js';
import { createPluginContexts, requireSqlForMigrations } from './plugin-contexts.js';
import { createPluginSettings } from './plugin-settings.js';
import { allEventSchemas, type MountedRoute, mountedRoutes } from './plugin-surface.js';
import { type EventRetention, retentionMs } from './retention.js';
import { createDispatcher } from './send/dispatch.js';
import { createSendPipeline } from './send/pipeline.js';
import { sessionAccess } from './session-access.js';
import { SessionManager } from './session-manager.js';
import { createSessionsApi } from './sessions-api.js';
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
  /** Fetches media referenced by URL in sends. @default a fetcher through {@link GatewayOptions.outgoing} */
  fetchMedia?: MediaFetcher;
  /**
   * The outgoing-address policy for user-given URLs (media URLs, session proxies, plugins).
   * @default public addresses plus `config.allowPrivateUrls`
   */
  outgoing?: OutgoingPolicy;
  /** Reconnect, boot, event-delivery and media tunables (see {@link GatewayTuning}). */
  tuning?: Partial<{ [K in keyof GatewayTuning]: Partial<GatewayTuning[K]> }>;
  /**
   * Identity of this process: its node id for session leases (several nodes on one database)
   * and its owner name for consumer leases. Keep it stable across restarts of the same slot
   * (a restarted node takes its own leases back at once instead of waiting for them to expire).
   * @default a random UUID
   */
  instanceId?: string;
  /**
   * Where other nodes reach this one (forwarded requests), recorded with its heartbeat.
   * @default null (none)
   */
  nodeUrl?: string | null;
  /**
   * How long the event log keeps events: a duration (`'30d'`, `'12h'`), milliseconds, or
   * `false` to keep them forever. Older events are pruned every `tuning.events.pruneIntervalMs`,
   * but never one a consumer (a plugin's cursor or one of its parked sessions) has not handled
   * yet. An SSE client resuming from a pruned event gets `INVALID_CURSOR`.
   * @default '30d'
   */
  eventRetention?: EventRetention;
}

export type { MountedRoute } from './plugin-surface.js';

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
  /** The outgoing-address policy every request to a user-given URL goes through. */
  readonly outgoing: OutgoingPolicy;
  /** Applies migrations, sets plugins up, starts consumers and reconnects stored sessions. */
  start(): Promise<void>;
  /** Resolves when the sessions connected at start have settled. */
  readonly booted: Promise<void>;
  /** Stops consumers, closes sockets, tears plugins down. Does not close the store. */
  stop(): Promise<void>;
  /** Work given up after its last attempt (plugin jobs, plugin event handlers): list, retry, delete. */
  readonly deadLetters: DeadLettersApi;
  /** This node among the others sharing the store (session ownership). */
  readonly cluster: ClusterApi;
}

/** Session ownership as a host sees it (admin listing, forwarding requests to the owner). */
export interface ClusterApi {
  /** This node's id ({@link GatewayOptions.instanceId}). */
  readonly nodeId: string;
  /** `false` on a store that cannot be shared (in-memory): this node owns every session. */
  readonly shared: boolean;
  /** Nodes seen recently (heartbeat within ten lease times), with the sessions each holds. */
  nodes(): Promise<NodeInfo[]>;
  /**
   * Who runs a session's socket, `null` when nobody holds its lease. A session this node holds
   * under a lease renewed within half a lease time is answered without a query (no other node
   * can claim an unexpired lease); any other from the store.
   */
  owner(sessionId: string): Promise<LeaseOwner | null>;
  /**
   * The node running each of these sessions now, by session id: the holder of a live lease
   * (several nodes), or this node for a session with a socket or a reconnect pending here
   * (alone). A session nobody runs (disconnected, between nodes) is absent.
   */
  owners(sessionIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Whether a load balancer should send this node traffic: `ready` once `start()` has joined
   * the nodes (heartbeat written) and made its first claim; `starting` before; `lapsed` while
   * its leases go unrenewed for a lease time with other nodes live (its sessions are moving
   * away); `draining` from the moment `stop()` begins; `stopped` after.
   */
  state(): NodeState;
}

/** See {@link ClusterApi.state}. */
export type NodeState = 'starting' | 'ready' | 'lapsed' | 'draining' | 'stopped';

/**
 * Builds a gateway. Plugin problems (duplicate id, missing dependency, bad options) throw a
 * {@link GatewayError} here, before anything starts.
 *
 * The kernel is a set of pipelines, each step in its own file:
 * - inbound: connection (`session-sockets.ts`) → `ignoreInbound` hooks (`hooks.ts`) → store
 *   and announce (`ingest.ts`) → plugin consumers (`plugin-consumers.ts`);
 * - send: request → `beforeSend` hooks → prepare → store pending → dispatch → status
 *   (`send/pipeline.ts`);
 * - lifecycle: start and stop in order (`lifecycle.ts`).
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
  const tuning = resolveTuning(options.tuning);
  const keepEventsMs = retentionMs(options.eventRetention);
  const resolved = resolvePlugins(options.plugins ?? []);
  requireSqlForMigrations(resolved, store);
  const config = Object.freeze({ ...options.config });
  const outgoing = options.outgoing ?? hostPolicy(config);

  // plugins' hooks run inside the pipelines below; their contexts need the API built from them
  const hooks = createHookRunner({
    resolved,
    contexts: () => contexts,
    logger: logger.child({ component: 'hooks' }),
  });

  // inbound: sockets report to ingest, which filters, stores and announces (retrying failed stores)
  const ingestLogger = logger.child({ component: 'ingest' });
  let consumers: DurableConsumer[] = [];
  const counters = gatewayMetrics(metrics, store, () => consumers);
  const ingest = new Ingest(store, tuning, ingestLogger, options.mediaStore, hooks, counters);
  let storeInbound: ReturnType<typeof ingestWithRetry> | undefined;
  const manager = new SessionManager(
    store,
    connector,
    tuning,
    logger.child({ component: 'sessions' }),
    (session, event, connection, delivery) =>
      (storeInbound as ReturnType<typeof ingestWithRetry>)(
        session.id,
        event,
        () => ingest.handle(session, event, connection),
        delivery,
      ),
    outgoing,
  );
  storeInbound = ingestWithRetry({
    logger: ingestLogger,
    metrics,
    tuning: tuning.inbound,
    signal: manager.stopSignal,
  });
  const access = sessionAccess(store, manager);

  // the API: what the REST routes and plugins can do
  const dispatcher = createDispatcher(store, logger, counters, tuning.send);
  const send = createSendPipeline({
    store,
    tuning,
    logger,
    fetchMedia: options.fetchMedia ?? guardedMediaFetcher(outgoing),
    access,
    hooks,
    counters,
    dispatcher,
  });
  const nodeId = options.instanceId ?? crypto.randomUUID();
  const leases = store.leases;
  const ownership = leases
    ? createOwnership({
        store,
        leases,
        node: { id: nodeId, url: options.nodeUrl ?? null },
        tuning: tuning.cluster,
        logger: logger.child({ component: 'cluster', nodeId }),
        sessions: manager,
      })
    : null;
  const perNode = nodeMetrics(metrics, {
    id: nodeId,
    owned: () => manager.ownedCount(),
    renewalAgeMs: () => ownership?.renewalAgeMs() ?? null,
  });
  if (ownership)
    manager.useOwnership(ownership, {
      // a handover waits for the sends it admitted, but never longer than a lease time: a send
      // that cannot finish must not keep the session's queue (and its next connect) waiting
      sendsSettled: async (sessionId) => {
        const drained = await Promise.race([
          dispatcher.drain(sessionId).then(() => true),
          sleep(tuning.cluster.leaseMs, false, { ref: false }),
        ]);
        if (!drained)
          logger.warn(
            { sessionId, waitedMs: tuning.cluster.leaseMs },
            'handing the session over with sends still in flight; they may fail',
          );
      },
      leaseLost: perNode.leaseLost,
    });
  const cluster: ClusterApi = {
    nodeId,
    shared: !!leases,
    nodes: async () => (leases ? leases.nodes(tuning.cluster.leaseMs, 10 * tuning.cluster.leaseMs) : []),
    owner: async (sessionId) => {
      if (!leases) return null;
      const held = manager.leaseOf(sessionId);
      const renewedAgo = ownership?.renewalAgeMs() ?? null;
      if (held && renewedAgo !== null && renewedAgo < tuning.cluster.leaseMs / 2)
        return { sessionId, nodeId, epoch: held.epoch, url: options.nodeUrl ?? null, live: true };
      return leases.owner(sessionId, tuning.cluster.leaseMs);
    },
    owners: async (sessionIds) => {
      if (!leases)
        return new Map(sessionIds.filter((id) => manager.runs(id)).map((id) => [id, nodeId] as const));
      const owners = await leases.owners(sessionIds, tuning.cluster.leaseMs);
      return new Map(owners.filter((o) => o.live).map((o) => [o.sessionId, o.nodeId] as const));
    },
    state: () => {
      const phase = lifecycle.phase;
      if (phase !== 'running') return phase;
      return ownership?.lapsed() ? 'lapsed' : 'ready';
    },
  };
  const settings = createPluginSettings({ resolved, store, access, encryptionKey: config.encryptionKey });
  const deps = { store, connection: access.connection };
  const messages = createMessagesApi({ store, access, send });
  const api: GatewayApi = {
    sessions: createSessionsApi({ store, manager, access, outgoing }),
    messages,
    media: {
      async read(sessionId, messageId) {
        const message = await messages.get(sessionId, messageId);
        const info = message.mediaInfo;
        const stream = info?.path && options.mediaStore ? await options.mediaStore.get(info.path) : null;
        if (!info || !stream)
          throw new GatewayError('MEDIA_UNAVAILABLE', `Message ${message.id} has no stored media`);
        return { stream, mimeType: info.mimeType, size: info.size, fileName: info.fileName };
      },
    },
    directory: createDirectoryApi(store, access),
    chats: createChatsApi(deps),
    contacts: createContactsApi(deps),
    groups: createGroupsApi(deps),
    profile: createProfileApi(deps),
    pluginSettings: {
      plugins: settings.plugins,
      get: settings.get,
      put: settings.put,
      delete: settings.delete,
    },
    connection: access.connection,
  };

  // plugins: a context each, durable consumers for their event handlers, a runner for their jobs
  const jobs = new JobRunner({
    sql: store.sql,
    store,
    jobs: registerJobs(resolved),
    tuning: tuning.jobs,
    logger: logger.child({ component: 'jobs' }),
    metrics,
    contextOf: (pluginId) => contexts.get(pluginId),
  });
  const contexts = createPluginContexts({
    resolved,
    store,
    api,
    logger,
    metrics,
    config,
    outgoing,
    settings,
    jobsOf: (pluginId) => jobs.pluginJobs(pluginId),
  });
  const plugins = createPluginConsumers({
    resolved,
    contexts,
    store,
    tuning,
    metrics,
    instanceId: nodeId,
  });
  consumers = [...plugins.consumers];
  const deadLetters = createDeadLettersApi(store, {
    event: eventRetrier(plugins.deliver),
    job: (letter) => jobs.revive(letter),
  });
  const lifecycle = createLifecycle({
    store,
    connector,
    logger,
    metrics,
    resolved,
    contexts,
    consumers,
    jobs,
    manager,
    ownership,
    sendsSettled: () => dispatcher.drain(),
    retention:
      keepEventsMs === null ? null : { keepMs: keepEventsMs, intervalMs: tuning.events.pruneIntervalMs },
  });

  return {
    ...api,
    store,
    logger,
    plugins: resolved,
    routes: mountedRoutes(resolved, contexts),
    eventSchemas: allEventSchemas(resolved),
    mediaStore: options.mediaStore,
    outgoing,
    deadLetters,
    cluster,
    get booted() {
      return lifecycle.booted;
    },
    start: () => lifecycle.start(),
    async stop() {
      await lifecycle.stop();
      if (!options.outgoing) await outgoing.close();
    },
  };
}

/** The policy a host's settings describe: public addresses plus `allowPrivateUrls`. */
function hostPolicy(config: Readonly<HostConfig>): OutgoingPolicy {
  return outgoingPolicy({
    allow: config.allowPrivateUrls ?? [],
    ...(config.allowPrivateUrlsSetting ? { allowHint: config.allowPrivateUrlsSetting } : {}),
  });
}
