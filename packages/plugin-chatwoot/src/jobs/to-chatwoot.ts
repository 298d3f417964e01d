import type { AnyGatewayEvent, GatewayEvent, Message, MessageStatus } from '@zapgate/core';
import {
  bridgeOrigin,
  deleteToChatwoot,
  editToChatwoot,
  messageToChatwoot,
  reactionToChatwoot,
  statusToChatwoot,
} from '../bridge/to-chatwoot.js';
import type { BridgeMetrics } from '../metrics.js';
import type { JobRun } from '../platform.js';
import { type ChatwootContext, settingsOf } from '../runtime.js';
import { type Change, jobNames, runBridgeJob } from './run.js';

/** The WhatsApp events the bridge shows in Chatwoot. */
export const bridgedEventTypes = [
  'message.received',
  'message.sent',
  'message.edited',
  'message.deleted',
  'message.reaction',
  'message.status',
] as const;
type BridgedType = (typeof bridgedEventTypes)[number];

/** The payload of a `to-chatwoot` job: the event as it was logged. */
export interface ToChatwootJob {
  sessionId: string;
  type: BridgedType;
  eventId: string;
  occurredAt: string;
  data: GatewayEvent<BridgedType>['data'];
}

const chatOf = (job: ToChatwootJob): string =>
  'message' in job.data ? (job.data.message as Message).chatId : (job.data as { chatId: string }).chatId;

/**
 * Turns a WhatsApp event of a bridged session into a `to-chatwoot` job in its chat's lane:
 * the chat's changes reach Chatwoot one at a time, in order, on whichever node runs them, so
 * 50 first messages of a new contact make one conversation. The event id is the job's key (a
 * redelivered event is not queued twice; the id map makes a late repeat a no-op).
 */
export async function enqueueToChatwoot(ctx: ChatwootContext, event: AnyGatewayEvent): Promise<void> {
  const sessionId = event.sessionId;
  if (!sessionId || !(await settingsOf(ctx, sessionId))) return;
  const data = event.data as ToChatwootJob['data'];
  if ('message' in data && (data.message as Message).origin === bridgeOrigin) return;
  const payload: ToChatwootJob = {
    sessionId,
    type: event.type as BridgedType,
    eventId: event.id,
    occurredAt: event.occurredAt,
    data,
  };
  await ctx.jobs.enqueue(jobNames.toChatwoot, payload, {
    lane: `${sessionId}:${chatOf(payload)}`,
    key: event.id,
  });
}

const ownUser = (jid: string | null | undefined) => jid?.split('@')[0]?.split(':')[0] ?? null;

/** Runs a `to-chatwoot` job. */
export async function runToChatwoot(
  ctx: ChatwootContext,
  metrics: BridgeMetrics,
  job: JobRun<ToChatwootJob>,
): Promise<void> {
  const { type, data, occurredAt } = job.payload;
  const retry = job.attempt > 1;
  const kind = type.replace('message.', '').replace('received', 'message').replace('sent', 'message');
  const message = 'message' in data ? (data.message as Message) : null;
  const change: Change = {
    direction: 'to_chatwoot',
    kind,
    chatJid: chatOf(job.payload),
    waid: message?.waid ?? ('waid' in data ? data.waid : 'targetWaid' in data ? data.targetWaid : null),
    chatwootMessageId: null,
    at: occurredAt,
  };
  await runBridgeJob(ctx, metrics, job, change, async (bridge) => {
    switch (type) {
      case 'message.received':
      case 'message.sent':
        return messageToChatwoot(bridge, message!, retry);
      case 'message.edited':
        return editToChatwoot(bridge, message!, occurredAt, retry);
      case 'message.deleted': {
        const deleted = data as GatewayEvent<'message.deleted'>['data'];
        return deleteToChatwoot(bridge, deleted.chatId, deleted.waid);
      }
      case 'message.reaction': {
        const reaction = data as GatewayEvent<'message.reaction'>['data'];
        const session = await ctx.gateway.sessions.get(bridge.sessionId);
        const contact = await bridge.whatsapp.contact(reaction.senderJid);
        const isFromMe =
          ownUser(reaction.senderJid) === ownUser(session.deviceJid) ||
          ownUser(reaction.senderJid) === session.phoneNumber?.replace(/\D/g, '');
        return reactionToChatwoot(
          bridge,
          reaction.chatId,
          {
            targetWaid: reaction.targetWaid,
            senderJid: reaction.senderJid,
            emoji: reaction.emoji,
            isFromMe,
            senderName: contact?.name ?? contact?.pushName ?? null,
          },
          retry,
        );
      }
      case 'message.status': {
        const status = data as GatewayEvent<'message.status'>['data'];
        const reason = status.error ? `WhatsApp refused the message (error ${status.error})` : null;
        return statusToChatwoot(bridge, status.chatId, status.waid, status.status as MessageStatus, reason);
      }
    }
  });
}
