import type { Message, MessageStatus } from '@zapgate/core';
import type { ChatwootMessageStatus } from '../client/types.js';
import { isGroupJid, phoneOfJid } from '../contacts/phone.js';
import { failureOf } from '../error-codes.js';
import {
  type ChatwootDraft,
  type ReactionInput,
  reactionKey,
  type ToChatwootContext,
  toChatwootDraft,
  toChatwootEdit,
  toChatwootReaction,
} from '../mapping/to-chatwoot.js';
import { messagesRepo } from '../repo/messages.js';
import { markFailedInChatwoot } from './failures.js';
import { post, targetOf } from './post.js';
import type { SessionBridge } from './session-bridge.js';

/** What bridging one WhatsApp change did. */
export type Outcome =
  | { status: 'bridged'; chatwootMessageId: number; conversationId: number }
  | { status: 'skipped'; reason: string };

const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });

/** The send origin of what the bridge sends (core stamps it on every send made through the plugin's context). */
export const bridgeOrigin = 'plugin:chatwoot';

/** Why a chat is not bridged, or null when it is. */
export function skipReasonOf(bridge: SessionBridge, chatJid: string): string | null {
  if (/@(broadcast|newsletter)$/.test(chatJid)) return 'broadcasts and channels are not bridged';
  if (isGroupJid(chatJid) && !bridge.settings.groups) return 'group chats are not bridged (groups: false)';
  if (bridge.settings.ignoreJids.includes(chatJid)) return 'the chat is in ignoreJids';
  return null;
}

async function contextOf(
  bridge: SessionBridge,
  message: Pick<Message, 'chatId' | 'senderJid' | 'senderName' | 'isFromMe' | 'quotedMsgId'>,
) {
  const context: ToChatwootContext = { fromMeAsNote: bridge.settings.phoneMessagesAsNotes };
  if (message.quotedMsgId) {
    const quoted = await messagesRepo.get(bridge.sql, bridge.sessionId, message.chatId, message.quotedMsgId);
    context.inReplyTo = quoted?.chatwootMessageId ?? null;
  }
  if (isGroupJid(message.chatId) && !message.isFromMe && message.senderJid) {
    const stored = await bridge.whatsapp.contact(message.senderJid);
    const phone = phoneOfJid(message.senderJid) ?? (stored ? phoneOfJid(stored.jid) : null);
    context.participant = { name: message.senderName || stored?.name || stored?.pushName || null, phone };
  }
  return context;
}

async function postAndLink(
  bridge: SessionBridge,
  chatJid: string,
  key: string,
  draft: ChatwootDraft,
  file: { data: Buffer; mimeType: string } | null,
  retry: boolean,
  messageId: string | null = null,
  nameHint: string | null = null,
): Promise<Outcome> {
  const target = await targetOf(bridge, chatJid, nameHint);
  const posted = await post(bridge, target, draft, file, retry);
  await messagesRepo.save(bridge.sql, bridge.sessionId, {
    chatJid,
    waid: key,
    ...posted,
    direction: 'to_chatwoot',
    messageId,
  });
  return { status: 'bridged', ...posted };
}

/**
 * Bridges a stored WhatsApp message (received, or sent from the phone) once: the id map
 * makes a replay a no-op; its media is uploaded with it (a file that cannot be read is noted
 * instead); a quote becomes `in_reply_to` of the bridged quoted message.
 */
export async function messageToChatwoot(
  bridge: SessionBridge,
  message: Message,
  retry: boolean,
): Promise<Outcome> {
  const skip = skipReasonOf(bridge, message.chatId);
  if (skip) return skipped(skip);
  if (message.origin === bridgeOrigin) return skipped('sent by the bridge (an agent in Chatwoot)');
  if (await messagesRepo.get(bridge.sql, bridge.sessionId, message.chatId, message.waid)) {
    return skipped('already bridged');
  }
  let draft = toChatwootDraft(message, await contextOf(bridge, message));
  if (!draft) return skipped('nothing to show');
  let file: { data: Buffer; mimeType: string } | null = null;
  if (draft.attachment) {
    file = await bridge.whatsapp.media(message);
    if (!file) {
      draft = toChatwootDraft(
        {
          ...message,
          mediaInfo: {
            ...(message.mediaInfo ?? { mimeType: 'application/octet-stream' }),
            error: 'the file is not stored',
          },
        },
        await contextOf(bridge, message),
      )!;
    }
  }
  const nameHint = message.isFromMe ? null : message.senderName;
  return postAndLink(bridge, message.chatId, message.waid, draft, file, retry, message.id, nameHint);
}

/** Bridges an edit as a note replying to the original (Chatwoot's API cannot change a message's text). */
export async function editToChatwoot(
  bridge: SessionBridge,
  message: Message,
  editedAt: string,
  retry: boolean,
): Promise<Outcome> {
  const skip = skipReasonOf(bridge, message.chatId);
  if (skip) return skipped(skip);
  const context = await contextOf(bridge, message);
  const original = await messagesRepo.get(bridge.sql, bridge.sessionId, message.chatId, message.waid);
  if (original?.direction === 'to_whatsapp') return skipped('made in Chatwoot');
  context.inReplyTo = original?.chatwootMessageId ?? null;
  const draft = toChatwootEdit(message, { ...context, editedAt });
  const key = `${message.waid}@edit:${Date.parse(editedAt)}`;
  if (await messagesRepo.get(bridge.sql, bridge.sessionId, message.chatId, key))
    return skipped('already bridged');
  return postAndLink(bridge, message.chatId, key, draft, null, retry);
}

/** Marks the bridged message deleted in Chatwoot (a message deleted for everyone on WhatsApp). */
export async function deleteToChatwoot(
  bridge: SessionBridge,
  chatJid: string,
  waid: string,
): Promise<Outcome> {
  const link = await messagesRepo.get(bridge.sql, bridge.sessionId, chatJid, waid);
  if (!link) return skipped('never bridged');
  if (link.direction === 'to_whatsapp') return skipped('made in Chatwoot');
  await bridge.client.messages
    .delete(link.conversationId, link.chatwootMessageId, bridge.signal ? { signal: bridge.signal } : {})
    .catch((error) => {
      if (failureOf(error)?.status !== 404) throw error; // already gone
    });
  return {
    status: 'bridged',
    chatwootMessageId: link.chatwootMessageId,
    conversationId: link.conversationId,
  };
}

/** Shows a reaction on the message it reacts to, replacing the person's previous reaction to it. */
export async function reactionToChatwoot(
  bridge: SessionBridge,
  chatJid: string,
  reaction: ReactionInput & { senderName: string | null },
  retry: boolean,
): Promise<Outcome> {
  const skip = skipReasonOf(bridge, chatJid);
  if (skip) return skipped(skip);
  const key = reactionKey(reaction.targetWaid, reaction.senderJid);
  const previous = await messagesRepo.get(bridge.sql, bridge.sessionId, chatJid, key);
  if (previous) {
    await deleteToChatwoot(bridge, chatJid, key);
    await messagesRepo.remove(bridge.sql, bridge.sessionId, chatJid, key);
  }
  const context = await contextOf(bridge, {
    chatId: chatJid,
    senderJid: reaction.senderJid,
    senderName: reaction.senderName,
    isFromMe: reaction.isFromMe,
    quotedMsgId: reaction.targetWaid,
  });
  const draft = toChatwootReaction(reaction, context);
  if (!draft) return skipped(previous ? 'reaction removed' : 'nothing to remove');
  return postAndLink(bridge, chatJid, key, draft, null, retry);
}

const statusFor: Partial<Record<MessageStatus, ChatwootMessageStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
};

/**
 * Shows a receipt on the bridged message (Chatwoot 4.2+ takes message statuses from API
 * inboxes; an older Chatwoot answers 404 and the receipt is dropped). An agent's message that
 * WhatsApp did not take (`failed`, with `reason`) is marked failed with a private note.
 */
export async function statusToChatwoot(
  bridge: SessionBridge,
  chatJid: string,
  waid: string,
  status: MessageStatus,
  reason: string | null = null,
): Promise<Outcome> {
  const link = await messagesRepo.get(bridge.sql, bridge.sessionId, chatJid, waid);
  if (!link) return skipped('never bridged');
  if (status === 'failed') {
    if (link.direction !== 'to_whatsapp') return skipped('not an agent message');
    await markFailedInChatwoot(
      bridge,
      link.conversationId,
      link.chatwootMessageId,
      reason ?? 'WhatsApp did not take it',
    );
    return {
      status: 'bridged',
      chatwootMessageId: link.chatwootMessageId,
      conversationId: link.conversationId,
    };
  }
  const wanted = statusFor[status];
  if (!wanted) return skipped(`no Chatwoot status for ${status}`);
  try {
    await bridge.client.messages.updateStatus(
      link.conversationId,
      link.chatwootMessageId,
      wanted,
      undefined,
      bridge.signal ? { signal: bridge.signal } : {},
    );
  } catch (error) {
    if (failureOf(error)?.status === 404)
      return skipped('Chatwoot does not take message statuses (or the message is gone)');
    throw error;
  }
  return {
    status: 'bridged',
    chatwootMessageId: link.chatwootMessageId,
    conversationId: link.conversationId,
  };
}
