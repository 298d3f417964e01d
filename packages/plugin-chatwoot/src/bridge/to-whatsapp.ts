import { createHash } from 'node:crypto';
import type { Static } from '@sinclair/typebox';
import type { SendMessageBody } from '@zapgate/core';
import type { CallbackConversation, CallbackMessage } from '../callback/payload.js';
import { chatwootError } from '../error-codes.js';
import { type PlannedSend, planWhatsappSends } from '../mapping/to-whatsapp.js';
import { conversationsRepo } from '../repo/conversations.js';
import { messagesRepo } from '../repo/messages.js';
import { isTransientWhatsappError, markFailedInChatwoot, reasonOf } from './failures.js';
import type { SessionBridge } from './session-bridge.js';
import type { Outcome } from './to-chatwoot.js';

const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });
const jidPattern = /^[\w.:-]+@(s\.whatsapp\.net|g\.us|lid)$/;

/**
 * The WhatsApp chat of a Chatwoot conversation: the linked one, or — for a conversation an
 * agent started in Chatwoot — the contact's identifier (a JID) or phone number, linked then.
 */
export async function chatOfConversation(
  bridge: SessionBridge,
  conversation: Static<typeof CallbackConversation>,
): Promise<string | null> {
  const link = await conversationsRepo.byConversation(bridge.sql, bridge.sessionId, conversation.id);
  if (link) return link.chatJid;
  const sender = conversation.meta?.sender;
  const digits = sender?.phone_number?.replace(/\D/g, '');
  const chatJid =
    sender?.identifier && jidPattern.test(sender.identifier)
      ? sender.identifier
      : digits
        ? `${digits}@s.whatsapp.net`
        : null;
  if (!chatJid || !sender || !conversation.contact_inbox) return null;
  await conversationsRepo.save(bridge.sql, {
    sessionId: bridge.sessionId,
    chatJid,
    inboxId: conversation.inbox_id,
    contactId: sender.id,
    sourceId: conversation.contact_inbox.source_id,
    conversationId: conversation.id,
    status: conversation.status,
  });
  return chatJid;
}

async function download(bridge: SessionBridge, url: string, attempts: number) {
  for (let attempt = 1; ; attempt += 1) {
    const file = await bridge.whatsapp.download(url);
    if (file || attempt >= attempts) return file;
    // Chatwoot stores uploads in a background job: wait and ask again
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

async function bodyOf(
  bridge: SessionBridge,
  chatJid: string,
  send: PlannedSend,
  attachmentAttempts: number,
): Promise<{ body: SendMessageBody; upload?: { data: Buffer; mimeType: string; fileName: string } }> {
  if (send.kind === 'text') return { body: { type: 'text', to: chatJid, text: send.text } };
  const file = await download(bridge, send.url, attachmentAttempts);
  if (!file) {
    throw chatwootError(
      'CHATWOOT_ATTACHMENT_UNAVAILABLE',
      `the attachment ${send.fileName} could not be downloaded from Chatwoot`,
    );
  }
  const media = { to: chatJid, media: { url: send.url }, mimeType: file.mimeType, fileName: send.fileName };
  const upload = { data: file.data, mimeType: file.mimeType, fileName: send.fileName };
  const caption = send.caption ? { caption: send.caption } : {};
  switch (send.mediaType) {
    case 'audio':
      return { body: { type: 'audio', ...media }, upload };
    case 'image':
      return { body: { type: 'image', ...media, ...caption }, upload };
    case 'video':
      return { body: { type: 'video', ...media, ...caption }, upload };
    default:
      return { body: { type: 'document', ...media, ...caption }, upload };
  }
}

/**
 * Sends an agent's reply to WhatsApp: one send per planned part, each with an idempotency key
 * made of the Chatwoot message id (a retried job sends nothing twice), the first quoting the
 * message the agent replied to; a reaction is sent as a reaction. A failure that will not pass
 * (not on WhatsApp, logged out, a file that cannot be fetched) marks the message failed in
 * Chatwoot with a private note; a passing one (disconnected) is thrown to be retried.
 */
export async function replyToWhatsapp(
  bridge: SessionBridge,
  payload: CallbackMessage,
  options: { attachmentAttempts: number; lastAttempt: boolean },
): Promise<Outcome> {
  const chatJid = await chatOfConversation(bridge, payload.conversation);
  if (!chatJid) return skipped('the conversation has no WhatsApp chat');
  const attributes = payload.content_attributes ?? {};
  const repliedTo = typeof attributes.in_reply_to === 'number' ? attributes.in_reply_to : null;
  const quoted = repliedTo
    ? (await messagesRepo.byChatwootId(bridge.sql, bridge.sessionId, repliedTo))[0]
    : undefined;
  try {
    if (attributes.is_reaction === true) {
      if (!quoted) return skipped('the reaction is to a message that was not bridged');
      const body: SendMessageBody = {
        type: 'reaction',
        to: chatJid,
        messageId: quoted.waid,
        emoji: payload.content ?? '',
      };
      const sent = await bridge.whatsapp.send(body, { idempotencyKey: `chatwoot:${payload.id}:0` });
      await link(bridge, chatJid, payload, sent);
      return { status: 'bridged', chatwootMessageId: payload.id, conversationId: payload.conversation.id };
    }
    const plan = planWhatsappSends(payload, bridge.settings);
    if (plan.length === 0) return skipped('nothing to send');
    for (const [index, part] of plan.entries()) {
      const { body, upload } = await bodyOf(bridge, chatJid, part, options.attachmentAttempts);
      const withQuote = index === 0 && quoted ? { ...body, quotedMessageId: quoted.waid } : body;
      const sent = await bridge.whatsapp.send(withQuote, {
        idempotencyKey: `chatwoot:${payload.id}:${index}`,
        ...(upload ? { upload } : {}),
      });
      await link(bridge, chatJid, payload, sent);
    }
  } catch (error) {
    if (isTransientWhatsappError(error) && !options.lastAttempt) throw error;
    await markFailedInChatwoot(bridge, payload.conversation.id, payload.id, reasonOf(error));
    return skipped(`failed: ${reasonOf(error)}`);
  }
  if (bridge.settings.markRead) await bridge.whatsapp.markRead(chatJid).catch(() => undefined);
  return { status: 'bridged', chatwootMessageId: payload.id, conversationId: payload.conversation.id };
}

async function link(
  bridge: SessionBridge,
  chatJid: string,
  payload: CallbackMessage,
  sent: { id: string; waid: string },
) {
  await messagesRepo.save(bridge.sql, bridge.sessionId, {
    chatJid,
    waid: sent.waid,
    chatwootMessageId: payload.id,
    conversationId: payload.conversation.id,
    direction: 'to_whatsapp',
    messageId: sent.id,
  });
}

/**
 * A change to an agent's message in Chatwoot: deleted → revoked on WhatsApp; edited (Chatwoot
 * versions with message editing mark `is_edited`) → the text edited on WhatsApp, once per new
 * text. Other updates (statuses the bridge itself set) change nothing.
 */
export async function updateToWhatsapp(bridge: SessionBridge, payload: CallbackMessage): Promise<Outcome> {
  const links = (await messagesRepo.byChatwootId(bridge.sql, bridge.sessionId, payload.id)).filter(
    (row) => row.direction === 'to_whatsapp' && row.messageId,
  );
  if (links.length === 0) return skipped('not a message the bridge sent');
  const attributes = payload.content_attributes ?? {};
  const { sql, sessionId } = bridge;
  const first = links[0]!;
  if (attributes.deleted === true) {
    const key = `cw-delete:${payload.id}`;
    if (await messagesRepo.get(sql, sessionId, first.chatJid, key)) return skipped('already deleted');
    for (const row of links) await bridge.whatsapp.revoke(row.messageId!);
    await messagesRepo.save(sql, sessionId, { ...first, waid: key, messageId: null });
    return { status: 'bridged', chatwootMessageId: payload.id, conversationId: payload.conversation.id };
  }
  if (attributes.is_edited === true && payload.content) {
    const hash = createHash('sha256').update(payload.content).digest('hex').slice(0, 16);
    const key = `cw-edit:${payload.id}:${hash}`;
    if (await messagesRepo.get(sql, sessionId, first.chatJid, key)) return skipped('edit already sent');
    const text = planWhatsappSends({ ...payload, attachments: [] }, bridge.settings)[0];
    if (text?.kind === 'text') await bridge.whatsapp.edit(first.messageId!, text.text);
    await messagesRepo.save(sql, sessionId, { ...first, waid: key, messageId: null });
    return { status: 'bridged', chatwootMessageId: payload.id, conversationId: payload.conversation.id };
  }
  return skipped('no change for WhatsApp');
}
