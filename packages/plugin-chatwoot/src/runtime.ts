import { type PluginContext, SecretBox, type SqlClient } from '@zapgate/core';
import type { SessionBridge } from './bridge/session-bridge.js';
import { whatsappSide } from './bridge/whatsapp-side.js';
import { chatwootClient } from './client/client.js';
import type { ResolvedChatwootOptions } from './options.js';
import type { PlatformContext } from './platform.js';
import { type BridgeState, bridgesRepo } from './repo/bridges.js';
import { type ChatwootSettings, type ChatwootSettingsSchema, resolveSettings } from './settings.js';

/** The plugin context as this plugin sees it. */
export type ChatwootContext = PlatformContext<ResolvedChatwootOptions, typeof ChatwootSettingsSchema>;

/** The platform context (jobs, settings, media) of a context the host gives the plugin. */
export const platformOf = (ctx: PluginContext<ResolvedChatwootOptions>) => ctx as ChatwootContext;

/** The SQL client (always present: core refuses plugins with migrations on stores without SQL). */
export const sqlOf = (ctx: PluginContext<ResolvedChatwootOptions>): SqlClient => ctx.sql!;

const boxes = new WeakMap<object, SecretBox>();

/** Seals what the plugin keeps of its own secrets (callback tokens, inbox signing secrets). */
export function secretsOf(ctx: PluginContext<ResolvedChatwootOptions>): SecretBox {
  let box = boxes.get(ctx);
  if (!box) {
    box = new SecretBox(ctx.config.encryptionKey, { purpose: 'plugin-chatwoot:bridges' });
    boxes.set(ctx, box);
  }
  return box;
}

/** A session's settings with defaults, or null when it is not bridged (none, or disabled). */
export async function settingsOf(ctx: ChatwootContext, sessionId: string): Promise<ChatwootSettings | null> {
  const stored = await ctx.settings.get(sessionId);
  if (!stored) return null;
  const settings = resolveSettings(stored);
  return settings.enabled ? settings : null;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A Chatwoot client for a session's settings, through the host's outgoing-address policy. */
export function clientOf(ctx: ChatwootContext, settings: ChatwootSettings) {
  return chatwootClient({
    url: settings.url,
    accountId: settings.accountId,
    token: settings.token,
    fetch: (url, init) => ctx.outgoing.fetch(url, init as Parameters<typeof ctx.outgoing.fetch>[1]),
    timeoutMs: ctx.options.timeoutMs,
  });
}

/** The bridge of one session with its settings and the inbox its state names. */
export function openBridge(
  ctx: ChatwootContext,
  sessionId: string,
  settings: ChatwootSettings,
  inboxId: number,
  signal?: AbortSignal,
): SessionBridge {
  const { options } = ctx;
  return {
    sessionId,
    settings,
    inboxId,
    client: clientOf(ctx, settings),
    sql: sqlOf(ctx),
    logger: ctx.logger,
    ...(signal ? { signal } : {}),
    whatsapp: whatsappSide({
      sessionId,
      gateway: ctx.gateway,
      store: ctx.store,
      outgoing: ctx.outgoing,
      maxAttachmentBytes: options.maxAttachmentBytes,
      timeoutMs: options.timeoutMs,
      async readMedia(message) {
        if (!message.mediaInfo) return null;
        try {
          const media = await ctx.gateway.media.read(sessionId, message.id);
          return { data: await readAll(media.stream), mimeType: media.mimeType };
        } catch (error) {
          ctx.logger.warn({ err: error, sessionId, messageId: message.id }, 'chatwoot: media not readable');
          return null;
        }
      },
    }),
  };
}

/** A running session's bridge, or why there is none. */
export type LoadedBridge =
  | { status: 'ready'; bridge: SessionBridge; state: BridgeState }
  | { status: 'not-configured' }
  | { status: 'starting'; state: BridgeState | null }
  | { status: 'stopped'; state: BridgeState };

/** The bridge of a session as its settings and state are now (read on every job: any node may run it). */
export async function loadBridge(
  ctx: ChatwootContext,
  sessionId: string,
  signal?: AbortSignal,
): Promise<LoadedBridge> {
  const settings = await settingsOf(ctx, sessionId);
  if (!settings) return { status: 'not-configured' };
  const state = await bridgesRepo.get(sqlOf(ctx), secretsOf(ctx), sessionId);
  if (state?.status === 'stopped') return { status: 'stopped', state };
  if (!state || state.inboxId === null) return { status: 'starting', state };
  return { status: 'ready', bridge: openBridge(ctx, sessionId, settings, state.inboxId, signal), state };
}
