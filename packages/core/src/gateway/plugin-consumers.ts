import { runInContext } from '../context.js';
import { matchesEventPattern, type StoredEvent } from '../contracts/events.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { PluginContext } from '../plugin/types.js';
import type { Store } from '../ports/store.js';
import { DurableConsumer } from './consumer.js';
import { reachesPlugins } from './hooks.js';
import type { GatewayTuning } from './options.js';
import type { PluginContexts } from './plugin-contexts.js';

interface Deps {
  resolved: readonly ResolvedPlugin[];
  contexts: PluginContexts;
  store: Store;
  tuning: GatewayTuning;
  /** This process's identity for consumer leases. */
  instanceId: string;
}

/** One durable consumer per plugin that handles events, dispatching by event pattern. */
export function createPluginConsumers({
  resolved,
  contexts,
  store,
  tuning,
  instanceId,
}: Deps): DurableConsumer[] {
  return resolved
    .filter(({ plugin }) => plugin.events && Object.keys(plugin.events).length > 0)
    .map(({ plugin }) => {
      const ctx = contexts.get(plugin.id);
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
          if (!reachesPlugins(event)) return;
          for (const [pattern, handler] of handlers) {
            if (!handler || !matchesEventPattern(pattern, event.type)) continue;
            const context = {
              pluginId: plugin.id,
              ...(event.sessionId ? { sessionId: event.sessionId } : {}),
            };
            await runInContext(context, () => handler(event, ctx));
          }
        },
      });
    });
}
