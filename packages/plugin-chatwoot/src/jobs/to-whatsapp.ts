import type { PluginRepositories } from '@zapgate/core';
import { botChat, runCommand, type SessionControl } from '../bridge/commands.js';
import type { SessionBridge } from '../bridge/session-bridge.js';
import type { Outcome } from '../bridge/to-chatwoot.js';
import { chatOfConversation, replyToWhatsapp, updateToWhatsapp } from '../bridge/to-whatsapp.js';
import type { Callback } from '../callback/payload.js';
import { isAgentReply } from '../callback/payload.js';
import type { BridgeMetrics } from '../metrics.js';
import type { JobRun } from '../platform.js';
import { conversationsRepo } from '../repo/conversations.js';
import type { ChatwootContext } from '../runtime.js';
import { type Change, jobNames, runBridgeJob } from './run.js';

/** The payload of a `to-whatsapp` job: a proven callback the bridge acts on. */
export interface ToWhatsappJob {
  sessionId: string;
  callback: Exclude<Callback, { kind: 'ignored' }>;
  receivedAt: string;
}

/**
 * Queues a proven callback in its conversation's lane (an agent's messages reach WhatsApp in
 * the order they were written); nothing is sent inside Chatwoot's request.
 */
export async function enqueueToWhatsapp(
  ctx: ChatwootContext,
  sessionId: string,
  callback: Exclude<Callback, { kind: 'ignored' }>,
  deliveryId: string | null,
  tx?: PluginRepositories,
): Promise<void> {
  const conversationId = callback.kind === 'status' ? callback.payload.id : callback.payload.conversation.id;
  const payload: ToWhatsappJob = { sessionId, callback, receivedAt: new Date().toISOString() };
  await ctx.jobs.enqueue(jobNames.toWhatsapp, payload, {
    lane: `${sessionId}:conversation:${conversationId}`,
    ...(deliveryId ? { key: `delivery:${deliveryId}` } : {}),
    ...(tx ? { tx } : {}),
  });
}

function controlOf(ctx: ChatwootContext, sessionId: string): SessionControl {
  const sessions = ctx.gateway.sessions;
  return {
    get: () => sessions.get(sessionId),
    qr: async () => {
      const qr = await sessions.qr(sessionId);
      return { qr: qr.value, expiresAt: qr.expiresAt };
    },
    pairingCode: (phone) => sessions.pairingCode(sessionId, phone),
    restart: () => sessions.restart(sessionId),
    disconnect: () => sessions.disconnect(sessionId),
  };
}

const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });

async function onMessage(
  ctx: ChatwootContext,
  bridge: SessionBridge,
  job: JobRun<ToWhatsappJob>,
  callback: Extract<Callback, { kind: 'message' }>,
): Promise<Outcome> {
  const payload = callback.payload;
  if (!isAgentReply(payload)) return skipped('not an agent reply (incoming, private, activity or an echo)');
  const link = await conversationsRepo.byConversation(bridge.sql, bridge.sessionId, payload.conversation.id);
  if (link?.chatJid === botChat) {
    if (!bridge.settings.commands || payload.event !== 'message_created') return skipped('bot contact');
    return runCommand(bridge, controlOf(ctx, bridge.sessionId), payload);
  }
  if (payload.event === 'message_updated') return updateToWhatsapp(bridge, payload);
  return replyToWhatsapp(bridge, payload, {
    attachmentAttempts: ctx.options.attachmentAttempts,
    lastAttempt: job.attempt >= ctx.options.maxAttempts,
  });
}

/** Runs a `to-whatsapp` job. */
export async function runToWhatsapp(
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  job: JobRun<ToWhatsappJob>,
): Promise<void> {
  const { callback, receivedAt } = job.payload;
  const change: Change = {
    direction: 'to_whatsapp',
    kind: callback.kind,
    chatJid: null,
    waid: null,
    chatwootMessageId: callback.kind === 'message' ? callback.payload.id : null,
    at: receivedAt,
  };
  await runBridgeJob(ctx, metrics, job, change, async (bridge) => {
    if (callback.kind === 'message') return onMessage(ctx, bridge, job, callback);
    if (callback.kind === 'status') {
      const conversation = callback.payload;
      await conversationsRepo.setStatus(bridge.sql, bridge.sessionId, conversation.id, conversation.status);
      if (conversation.status !== 'open' || !bridge.settings.markRead) return skipped('status noted');
      const chatJid = await chatOfConversation(bridge, conversation);
      if (!chatJid || chatJid === botChat) return skipped('no WhatsApp chat');
      await bridge.whatsapp.markRead(chatJid);
      return { status: 'bridged', chatwootMessageId: 0, conversationId: conversation.id };
    }
    if (callback.payload.is_private) return skipped('typing a private note');
    const chatJid = await chatOfConversation(bridge, callback.payload.conversation);
    if (!chatJid || chatJid === botChat) return skipped('no WhatsApp chat');
    const typing = callback.payload.event === 'conversation_typing_on' ? 'composing' : 'paused';
    await bridge.whatsapp.presence(chatJid, typing).catch(() => undefined);
    return skipped(`presence ${typing} sent`);
  });
}
