import { isGatewayError } from '@zapgate/core';
import type { ChatwootDraft } from '../mapping/to-chatwoot.js';
import type { ConversationLink } from '../repo/conversations.js';
import { ensureContact, type Person, personOfChat } from './contacts.js';
import { ensureConversation, forgetConversation } from './conversations.js';
import type { SessionBridge } from './session-bridge.js';

/** Where a chat's messages go in Chatwoot. */
export interface Target {
  person: Person;
  conversation: ConversationLink;
}

/** The person and conversation of a chat, made when missing. */
export async function targetOf(
  bridge: SessionBridge,
  chatJid: string,
  nameHint?: string | null,
): Promise<Target> {
  const person = await personOfChat(bridge, chatJid, nameHint);
  const contact = await ensureContact(bridge, person);
  return { person, conversation: await ensureConversation(bridge, person, contact) };
}

/** The Chatwoot message with this `source_id` among the conversation's latest, if any. */
async function alreadyPosted(
  bridge: SessionBridge,
  conversationId: number,
  sourceId: string,
): Promise<number | null> {
  const { payload } = await bridge.client.messages.list(
    conversationId,
    bridge.signal ? { signal: bridge.signal } : {},
  );
  return payload.find((message) => message.source_id === sourceId)?.id ?? null;
}

/**
 * Posts a draft in the chat's conversation and returns the Chatwoot message id. A retry first
 * looks for the draft's `source_id` among the conversation's latest messages: a crash between
 * Chatwoot's answer and the id map's write must not post it twice (the chat's jobs run one at
 * a time, so the message is among the latest). A conversation Chatwoot no longer has is
 * forgotten and made anew, once.
 */
export async function post(
  bridge: SessionBridge,
  target: Target,
  draft: ChatwootDraft,
  file: { data: Buffer; mimeType: string } | null,
  retry: boolean,
): Promise<{ chatwootMessageId: number; conversationId: number }> {
  const o = bridge.signal ? { signal: bridge.signal } : {};
  const send = async (conversationId: number) => {
    const sourceId = draft.message.sourceId;
    if (retry && sourceId) {
      const found = await alreadyPosted(bridge, conversationId, sourceId);
      if (found !== null) return found;
    }
    const created =
      draft.attachment && file
        ? await bridge.client.messages.createWithAttachments(
            conversationId,
            draft.message,
            [{ fileName: draft.attachment.fileName, contentType: file.mimeType, data: file.data }],
            o,
          )
        : await bridge.client.messages.create(conversationId, draft.message, o);
    return created.id;
  };
  try {
    return {
      chatwootMessageId: await send(target.conversation.conversationId),
      conversationId: target.conversation.conversationId,
    };
  } catch (error) {
    if (!isGatewayError(error) || error.code !== 'CHATWOOT_NOT_FOUND') throw error;
    await forgetConversation(bridge, target.person);
    const fresh = await targetOf(bridge, target.person.identifier);
    return {
      chatwootMessageId: await send(fresh.conversation.conversationId),
      conversationId: fresh.conversation.conversationId,
    };
  }
}
