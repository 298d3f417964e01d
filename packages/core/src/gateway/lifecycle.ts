import type { JobRunner } from '../jobs/runner.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { Connector } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import type { DurableConsumer } from './consumer.js';
import type { Ownership } from './ownership.js';
import type { PluginContexts } from './plugin-contexts.js';
import { failInterruptedSends, markReconnecting } from './recovery.js';
import { type EventPruner, startEventPruner } from './retention.js';
import type { SessionManager } from './session-manager.js';

interface Parts {
  store: Store;
  connector: Connector;
  logger: Logger;
  metrics: Metrics;
  resolved: readonly ResolvedPlugin[];
  contexts: PluginContexts;
  consumers: readonly DurableConsumer[];
  jobs: JobRunner;
  manager: SessionManager;
  /** Session leases (a store several nodes may share), or `null`: this node owns every session. */
  ownership: Ownership | null;
  /** Resolves when every send handed to a connection has settled. */
  sendsSettled: () => Promise<void>;
  /** Event log retention, or `null` to keep events forever. */
  retention: { keepMs: number; intervalMs: number } | null;
}

/**
 * Where a gateway is in its life: `starting` until `start()` has joined the nodes and made its
 * first claim, `running`, `draining` from the first moment of `stop()` (in-flight sends finish,
 * sessions are handed over), then `stopped`.
 */
export type LifecyclePhase = 'starting' | 'running' | 'draining' | 'stopped';

/** Starting and stopping a gateway, each in one readable order. */
export interface Lifecycle {
  start(): Promise<void>;
  readonly booted: Promise<void>;
  readonly phase: LifecyclePhase;
  stop(): Promise<void>;
}

/**
 * Start: store → recover interrupted sends → plugin migrations (dependencies first) → plugin
 * setup → event consumers → job runner → event retention → reconnect stored sessions (in the
 * background: `booted`; with leases: join the nodes, claim this node's share, recover those).
 * Stop runs it backwards: sessions' boot is cancelled and settles → retention → consumers → job runner (running
 * jobs are aborted and given back) → in-flight sends → sockets → leases freed → plugin teardown
 * (dependents first) → plugin timers. The store stays open (the host owns it).
 */
export function createLifecycle(parts: Parts): Lifecycle {
  const { store, connector, logger, resolved, contexts, consumers, jobs, manager } = parts;
  let started = false;
  let phase: LifecyclePhase = 'starting';
  let pruner: EventPruner | null = null;
  let booted: Promise<void> = Promise.resolve();
  return {
    get booted() {
      return booted;
    },
    get phase() {
      return phase;
    },
    async start() {
      if (started) return;
      await store.init();
      // several nodes: recovery is per claimed session (another node's pending sends are its own)
      if (!parts.ownership) {
        await failInterruptedSends(store, logger);
        await markReconnecting(store);
      }
      for (const { plugin } of resolved) {
        if (plugin.migrations?.length) await store.migrate(plugin.id, plugin.migrations);
      }
      for (const { plugin } of resolved) await plugin.setup?.(contexts.get(plugin.id));
      await Promise.all(consumers.map((consumer) => consumer.start()));
      jobs.start();
      if (parts.retention) {
        pruner = startEventPruner({
          store,
          ...parts.retention,
          logger: logger.child({ component: 'retention' }),
          metrics: parts.metrics,
        });
      }
      started = true;
      const connecting = parts.ownership ? (await parts.ownership.start()).adopted : manager.boot();
      booted = connecting.catch((error) => logger.error({ err: error }, 'boot failed'));
      phase = 'running';
      logger.info(
        { store: store.kind, connector: connector.name, plugins: resolved.map((p) => p.plugin.id) },
        'gateway started',
      );
    },
    async stop() {
      if (!started) return;
      started = false;
      phase = 'draining';
      // a boot of many sessions takes minutes: stop starting them rather than wait for it
      manager.cancelBoot();
      await booted;
      await pruner?.stop();
      pruner = null;
      await Promise.all(consumers.map((c) => c.stop()));
      await jobs.stop();
      // in-flight sends finish on their sockets before those close and the leases go
      await parts.sendsSettled();
      await manager.stop();
      await parts.ownership?.stop();
      for (const { plugin } of [...resolved].reverse()) {
        await Promise.resolve(plugin.teardown?.(contexts.get(plugin.id))).catch((error) =>
          logger.error({ err: error, plugin: plugin.id }, 'plugin teardown failed'),
        );
      }
      await contexts.stopTimers();
      phase = 'stopped';
      logger.info('gateway stopped');
    },
  };
}
