import { requireChatJid } from '../contracts/jid.js';
import { GatewayError } from '../errors.js';
import type { Store } from '../ports/store.js';
import type { DirectoryApi } from './api.js';
import type { SessionAccess } from './session-access.js';

/** Chat and contact queries over the store; they work whether or not the session is connected. */
export function createDirectoryApi(store: Store, { requireSession }: SessionAccess): DirectoryApi {
  return {
    listChats: async (sessionId, filter) => {
      await requireSession(sessionId);
      return store.chats.list(sessionId, filter);
    },
    async getChat(sessionId, chatId) {
      const chatJid = requireChatJid(chatId);
      await requireSession(sessionId);
      const chat = await store.chats.get(sessionId, chatJid);
      if (!chat) throw new GatewayError('CHAT_NOT_FOUND', `Chat ${chatJid} does not exist`);
      return chat;
    },
    listContacts: async (sessionId, filter) => {
      await requireSession(sessionId);
      return store.contacts.list(sessionId, filter);
    },
    async getContact(sessionId, id) {
      const jid = requireChatJid(id, 'contact id');
      await requireSession(sessionId);
      const contact = await store.contacts.get(sessionId, jid);
      if (!contact) throw new GatewayError('CONTACT_NOT_FOUND', `Contact ${jid} does not exist`);
      return contact;
    },
  };
}
