import { runInContext } from '../context.js';
import { matchesEventPattern, type StoredEvent } from '../contracts/events.js';
import type { Metrics } from '../metrics.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { PluginContext } from '../plugin/types.js';
import type { Store } from '../ports/store.js';
import { DurableConsumer } from './consumer.js';
import { reachesPlugins } from './hooks.js';
import type { GatewayTuning } from './options.js';
import type { PluginContexts } from './plugin-contexts.js';

/** A plugin's handler of one pattern: one event per call, or several. */
type PatternHandler =
  | ((event: StoredEvent, ctx: PluginContext) => unknown)
  | { batch(events: readonly StoredEvent[], ctx: PluginContext): Promise<void> };

interface Deps {
  resolved: readonly ResolvedPlugin[];
  contexts: PluginContexts;
  store: Store;
  tuning: GatewayTuning;
  metrics: Metrics;
  /** This process's identity for consumer leases. */
  instanceId: string;
}

/** The durable consumers of the plugins that handle events, and a way to deliver one event again. */
export interface PluginConsumers {
  readonly consumers: readonly DurableConsumer[];
  /**
   * Hands `event` to `pluginId`'s handlers once (retrying a dead letter); throws what a handler
   * threw. False when the plugin is not installed or handles no events.
   */
  deliver(pluginId: string, event: StoredEvent): Promise<boolean>;
}

/** The name a plugin's cursor is stored under. */
export const pluginConsumerName = (pluginId: string) => `plugin:${pluginId}`;

/**
 * One durable consumer per plugin that handles events, dispatching by event pattern, one
 * stream per session; events given up on become dead letters (`kind: 'event'`).
 */
export function createPluginConsumers({
  resolved,
  contexts,
  store,
  tuning,
  metrics,
  instanceId,
}: Deps): PluginConsumers {
  const deadLettered = metrics.counter(
    'zapgate_event_dead_letters_total',
    'Events a plugin handler kept failing on, kept as dead letters',
    ['plugin'],
  );
  const handlers = new Map<string, (event: StoredEvent) => Promise<void>>();
  const consumers = resolved
    .filter(({ plugin }) => plugin.events && Object.keys(plugin.events).length > 0)
    .map(({ plugin }) => {
      const ctx = contexts.get(plugin.id);
      const patterns = Object.entries(plugin.events ?? {}).filter(([, handler]) => handler) as [
        string,
        PatternHandler,
      ][];
      const contextOf = (sessionId: string | null) => ({
        pluginId: plugin.id,
        ...(sessionId ? { sessionId } : {}),
      });
      const handleMany = async (events: readonly StoredEvent[]) => {
        const reaching = events.filter(reachesPlugins);
        for (const [pattern, handler] of patterns) {
          const matched = reaching.filter((event) => matchesEventPattern(pattern, event.type));
          if (matched.length === 0) continue;
          await runInContext(contextOf(matched[0]!.sessionId), async () => {
            if (typeof handler !== 'function') return handler.batch(matched, ctx);
            for (const event of matched) await handler(event, ctx);
          });
        }
      };
      const handle = (event: StoredEvent) => handleMany([event]);
      handlers.set(plugin.id, handle);
      return new DurableConsumer({
        name: pluginConsumerName(plugin.id),
        owner: instanceId,
        store,
        logger: ctx.logger,
        tuning: tuning.events,
        startAt: plugin.eventsStartAt ?? 'end',
        handle,
        // one call for several events only when a handler takes batches: per-event handlers
        // keep seeing each event across every pattern before the next one
        ...(patterns.some(([, handler]) => typeof handler !== 'function') ? { handleBatch: handleMany } : {}),
        async deadLetter(event, error, attempts) {
          const letter = await store.deadLetters.add({
            kind: 'event',
            pluginId: plugin.id,
            name: event.type,
            sessionId: event.sessionId,
            payload: event,
            error: error instanceof Error ? error.message : String(error),
            attempts,
          });
          deadLettered.inc({ plugin: plugin.id });
          ctx.logger.warn(
            {
              err: error,
              plugin: plugin.id,
              eventId: event.id,
              sessionId: event.sessionId,
              attempts,
              deadLetterId: letter.id,
            },
            'event handler kept failing; the event is now a dead letter (GET /v1/admin/dead-letters)',
          );
        },
      });
    });
  return {
    consumers,
    async deliver(pluginId, event) {
      const handle = handlers.get(pluginId);
      if (!handle) return false;
      await handle(event);
      return true;
    },
  };
}
