import type { SendOrigin } from '../contracts/message.js';
import { GatewayError } from '../errors.js';
import type { PluginJobs } from '../jobs/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import { createScheduler, type Scheduler } from '../plugin/scheduler.js';
import type { HostConfig, PluginContext } from '../plugin/types.js';
import type { Store } from '../ports/store.js';
import type { GatewayApi } from './api.js';
import { appendEvent } from './event-writer.js';
import type { PluginSettingsService } from './plugin-settings.js';
import { pluginStore } from './plugin-store.js';
import { allEventSchemas } from './plugin-surface.js';

interface Deps {
  resolved: readonly ResolvedPlugin[];
  store: Store;
  api: GatewayApi;
  logger: Logger;
  metrics: Metrics;
  config: Readonly<HostConfig>;
  outgoing: OutgoingPolicy;
  settings: PluginSettingsService;
  /** The `ctx.jobs` of a plugin. */
  jobsOf(pluginId: string): PluginJobs;
}

/** The context of every plugin, built once; each owns its timers. */
export interface PluginContexts {
  /** The context of a registered plugin. */
  get(pluginId: string): PluginContext;
  /** Stops every plugin's timers (after teardown). */
  stopTimers(): Promise<void>;
}

/** Plugins with tables or durable jobs need SQL: refuse a store without it before anything starts. */
export function requireSqlForMigrations(resolved: readonly ResolvedPlugin[], store: Store): void {
  for (const { plugin } of resolved) {
    const needs = plugin.migrations?.length
      ? 'keeps tables'
      : Object.keys(plugin.jobs ?? {}).length
        ? 'runs durable jobs'
        : null;
    if (needs && !store.sql) {
      throw new GatewayError(
        'PLUGIN_REQUIRES_SQL',
        `Plugin "${plugin.id}" ${needs} and needs a SQL store; "${store.kind}" has none`,
      );
    }
  }
}

/** The API as a plugin uses it: its sends are recorded as sent by the plugin. */
function sendingAs(api: GatewayApi, origin: SendOrigin): GatewayApi {
  return {
    ...api,
    messages: {
      ...api.messages,
      send: (sessionId, body, options) => api.messages.send(sessionId, body, { ...options, origin }),
    },
  };
}

/** Builds what each plugin's hooks, handlers and routes receive. */
export function createPluginContexts({
  resolved,
  store,
  api,
  logger,
  metrics,
  config,
  outgoing,
  settings,
  jobsOf,
}: Deps): PluginContexts {
  const schedulers: Scheduler[] = [];
  const contexts = new Map<string, PluginContext>();
  const view = pluginStore(store);
  const eventTypes = Object.freeze(Object.keys(allEventSchemas(resolved)).sort());
  for (const { plugin, options } of resolved) {
    const declared = new Set(Object.keys(plugin.eventSchemas ?? {}));
    const pluginLogger = logger.child({ plugin: plugin.id });
    const scheduler = createScheduler(pluginLogger);
    schedulers.push(scheduler);
    contexts.set(plugin.id, {
      pluginId: plugin.id,
      options: options as Readonly<unknown>,
      store: view,
      sql: store.sql,
      gateway: sendingAs(api, `plugin:${plugin.id}`),
      logger: pluginLogger,
      config,
      scheduler,
      metrics,
      outgoing,
      settings: {
        get: (sessionId) => settings.read(plugin.id, sessionId),
        list: () => settings.readAll(plugin.id),
      },
      jobs: jobsOf(plugin.id),
      eventTypes,
      emit: async (type, sessionId, data, tx) => {
        if (!declared.has(type)) {
          throw new GatewayError(
            'PLUGIN_EVENT_NOT_DECLARED',
            `Plugin "${plugin.id}" emitted "${type}", which it does not declare in eventSchemas` +
              (declared.size ? ` (it declares ${[...declared].join(', ')})` : ' (it declares none)'),
          );
        }
        if (tx) await appendEvent(tx, type, sessionId, data);
        else await store.transaction((t) => appendEvent(t, type, sessionId, data).then(() => {}));
      },
    });
  }
  return {
    get(pluginId) {
      const ctx = contexts.get(pluginId);
      if (!ctx) throw new GatewayError('PLUGIN_NOT_FOUND', `Plugin "${pluginId}" is not registered`);
      return ctx;
    },
    async stopTimers() {
      await Promise.all(schedulers.map((s) => s.stop()));
    },
  };
}
