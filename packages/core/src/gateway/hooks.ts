import { Value } from '@sinclair/typebox/value';
import { runInContext } from '../context.js';
import type { StoredEvent } from '../contracts/events.js';
import type { Message, NewMessage, SendOrigin } from '../contracts/message.js';
import { SendMessageBody } from '../contracts/outbound.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { BeforeSendResult, PluginContext, PluginHooks } from '../plugin/types.js';
import type { PluginContexts } from './plugin-contexts.js';

/** The hooks of every plugin, run in plugin dependency order. */
export interface HookRunner {
  /** The body to send after every `beforeSend` hook; throws to refuse the send. */
  beforeSend(sessionId: string, body: SendMessageBody, origin: SendOrigin): Promise<SendMessageBody>;
  /** The id of the first plugin whose `ignoreInbound` hook returns true, or `null`. */
  ignoredBy(message: Message): Promise<string | null>;
}

interface Deps {
  resolved: readonly ResolvedPlugin[];
  /** Contexts are built after the API the hooks belong to, so they are looked up lazily. */
  contexts: () => PluginContexts;
  logger: Logger;
}

type Hooked<K extends keyof PluginHooks> = { pluginId: string; hook: NonNullable<PluginHooks[K]> };

function hooksOf<K extends keyof PluginHooks>(resolved: readonly ResolvedPlugin[], kind: K): Hooked<K>[] {
  return resolved.flatMap(({ plugin }) => {
    const hook = plugin.hooks?.[kind];
    return hook
      ? [{ pluginId: plugin.id, hook: hook.bind(plugin.hooks) as NonNullable<PluginHooks[K]> }]
      : [];
  });
}

/** Builds the hook runner; `resolved` is already in dependency order. */
export function createHookRunner({ resolved, contexts, logger }: Deps): HookRunner {
  const beforeSend = hooksOf(resolved, 'beforeSend');
  const ignoreInbound = hooksOf(resolved, 'ignoreInbound');
  const ctxOf = (pluginId: string): PluginContext => contexts().get(pluginId);

  return {
    async beforeSend(sessionId, body, origin) {
      let current = body;
      for (const { pluginId, hook } of beforeSend) {
        let result: BeforeSendResult;
        try {
          result = await runInContext({ pluginId, sessionId }, () =>
            hook({ sessionId, body: current, origin }, ctxOf(pluginId)),
          );
        } catch (error) {
          if (isGatewayError(error)) throw error;
          throw new GatewayError('PLUGIN_HOOK_FAILED', `The beforeSend hook of plugin "${pluginId}" failed`, {
            cause: error,
          });
        }
        if (result === undefined) continue;
        if (!Value.Check(SendMessageBody, result)) {
          throw new GatewayError(
            'PLUGIN_HOOK_FAILED',
            `The beforeSend hook of plugin "${pluginId}" returned an invalid message body`,
            { details: [...Value.Errors(SendMessageBody, result)].map((e) => `${e.path}: ${e.message}`) },
          );
        }
        current = result;
      }
      return current;
    },

    async ignoredBy(message) {
      for (const { pluginId, hook } of ignoreInbound) {
        try {
          const ignored = await runInContext({ pluginId, sessionId: message.sessionId }, () =>
            hook(message, ctxOf(pluginId)),
          );
          if (ignored === true) return pluginId;
        } catch (error) {
          logger.warn(
            { err: error, plugin: pluginId, sessionId: message.sessionId, waid: message.waid },
            'ignoreInbound hook failed; the message is delivered to plugins',
          );
        }
      }
      return null;
    },
  };
}

/** The message a hook sees for a row about to be stored. */
export function asMessage(row: NewMessage & { id: string }): Message {
  return {
    ...row,
    status: row.status ?? 'delivered',
    metadata: row.metadata ?? {},
    mediaInfo: row.mediaInfo ?? null,
    origin: row.origin ?? null,
  } as Message;
}

/**
 * False for events no plugin receives: the `message.received` of a message an
 * `ignoreInbound` hook marked (see {@link PluginHooks.ignoreInbound}).
 */
export function reachesPlugins(event: StoredEvent): boolean {
  return !(event.type === 'message.received' && event.data.message.metadata.ignoredBy);
}
