import { requireChatJid } from '../contracts/jid.js';
import type { Message } from '../contracts/message.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { MessagesApi } from './api.js';
import { appendEvent } from './event-writer.js';
import type { SendFn } from './send/pipeline.js';
import type { SessionAccess } from './session-access.js';

interface Deps {
  store: Store;
  access: SessionAccess;
  /** The send pipeline (see `send/pipeline.ts`). */
  send: SendFn;
}

/** Sends (through the send pipeline), edits, revokes and reads messages. */
export function createMessagesApi({ store, access, send }: Deps): MessagesApi {
  const requireMessage = async (sessionId: string, id: string): Promise<Message> => {
    await access.requireSession(sessionId);
    const message = await store.messages.get(sessionId, id);
    if (!message)
      throw new GatewayError('MESSAGE_NOT_FOUND', `Message ${id} does not exist in session ${sessionId}`);
    return message;
  };

  return {
    send,

    get: requireMessage,

    async list(sessionId, filter = {}) {
      const chatId = filter.chatId === undefined ? undefined : requireChatJid(filter.chatId);
      await access.requireSession(sessionId);
      return store.messages.list(sessionId, { ...filter, ...(chatId ? { chatId } : {}) });
    },

    async edit(sessionId, id, text) {
      const message = await requireMessage(sessionId, id);
      if (!message.isFromMe)
        throw new GatewayError('VALIDATION_FAILED', 'Only messages sent by this session can be edited');
      if (message.msgType !== 'text')
        throw new GatewayError('VALIDATION_FAILED', 'Only text messages can be edited');
      const connection = await access.connection(sessionId);
      await connection.edit(message.chatId, message.waid, text);
      return store.transaction(async (tx) => {
        const edits = [
          ...(message.metadata.edits ?? []),
          { content: message.content, editedAt: new Date().toISOString() },
        ];
        const updated = await tx.messages.update(sessionId, id, {
          content: { text },
          metadata: { ...message.metadata, edits },
        });
        await appendEvent(tx, 'message.edited', sessionId, {
          message: updated,
          previousContent: message.content,
        });
        return updated;
      });
    },

    async revoke(sessionId, id) {
      const message = await requireMessage(sessionId, id);
      const connection = await access.connection(sessionId);
      await connection.revoke(message.chatId, message.waid, message.isFromMe, message.senderJid);
      return store.transaction(async (tx) => {
        const updated = await tx.messages.update(sessionId, id, {
          metadata: { ...message.metadata, deletedAt: new Date().toISOString() },
        });
        await appendEvent(tx, 'message.deleted', sessionId, {
          messageId: id,
          chatId: message.chatId,
          waid: message.waid,
          deletedBy: null,
        });
        return updated;
      });
    },

    async markRead(sessionId, chatRef, messageIds) {
      const chatId = requireChatJid(chatRef);
      await access.requireSession(sessionId);
      const connection = await access.connection(sessionId);
      const messages = messageIds?.length
        ? await Promise.all(messageIds.map((id) => requireMessage(sessionId, id)))
        : (await store.messages.list(sessionId, { chatId, isFromMe: false, limit: 20 })).items;
      if (messages.length === 0) return;
      await connection.markRead(
        chatId,
        messages.map((m) => ({ waid: m.waid, fromMe: m.isFromMe, senderJid: m.senderJid })),
      );
    },
  };
}
