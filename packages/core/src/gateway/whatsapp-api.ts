import type { Chat } from '../contracts/chat.js';
import type { Group, GroupParticipantsAction } from '../contracts/group.js';
import { requireChatJid, requireGroupJid } from '../contracts/jid.js';
import { GatewayError } from '../errors.js';
import { sniffMimeType } from '../media/bytes.js';
import type { Connection } from '../ports/connector.js';
import type { Store } from '../ports/store.js';
import type { ChatsApi, ContactsApi, GroupsApi, ProfileApi } from './api.js';
import { appendEvent } from './event-writer.js';

interface Deps {
  store: Store;
  connection(sessionId: string): Promise<Connection>;
}

const digits = (value: string) => value.replace(/\D/g, '');

/** Chat actions: they change WhatsApp first, then the stored chat, then announce it. */
export function createChatsApi({ store, connection }: Deps): ChatsApi {
  const modify = async (
    sessionId: string,
    chatId: string,
    change: Parameters<Connection['modifyChat']>[1],
    patch: Partial<Chat>,
  ) => {
    const chatJid = requireChatJid(chatId);
    const live = await connection(sessionId);
    const [last] = (await store.messages.list(sessionId, { chatId: chatJid, limit: 1 })).items;
    await live.modifyChat(
      chatJid,
      change,
      last ? { waid: last.waid, fromMe: last.isFromMe, timestamp: last.timestamp } : null,
    );
    return store.transaction(async (tx) => {
      const chat = await tx.chats.upsert(sessionId, {
        chatJid,
        isGroup: chatJid.endsWith('@g.us'),
        ...patch,
      });
      await appendEvent(tx, 'chat.upserted', sessionId, { chat });
      return chat;
    });
  };
  return {
    archive: (sessionId, chatJid, archived) =>
      modify(sessionId, chatJid, { archive: archived }, { isArchived: archived }),
    pin: (sessionId, chatJid, pinned) => modify(sessionId, chatJid, { pin: pinned }, { isPinned: pinned }),
    mute: (sessionId, chatJid, until) =>
      modify(sessionId, chatJid, { muteUntil: until }, { mutedUntil: until }),
    markUnread: (sessionId, chatJid, unread) =>
      modify(sessionId, chatJid, { markRead: !unread }, { unreadCount: unread ? 1 : 0 }),
    async delete(sessionId, chatId) {
      const chatJid = requireChatJid(chatId);
      const live = await connection(sessionId);
      const [last] = (await store.messages.list(sessionId, { chatId: chatJid, limit: 1 })).items;
      await live.modifyChat(
        chatJid,
        { delete: true },
        last ? { waid: last.waid, fromMe: last.isFromMe, timestamp: last.timestamp } : null,
      );
      await store.transaction(async (tx) => {
        if (await tx.chats.delete(sessionId, chatJid))
          await appendEvent(tx, 'chat.deleted', sessionId, { chatJid });
      });
    },
    async presence(sessionId, chatId, presence) {
      const chatJid = chatId === null ? null : requireChatJid(chatId);
      await (await connection(sessionId)).sendPresence(chatJid, presence);
    },
  };
}

/** Contact lookups that need WhatsApp. */
export function createContactsApi({ connection }: Deps): ContactsApi {
  return {
    async check(sessionId, phoneNumbers) {
      const cleaned = phoneNumbers.map(digits);
      if (cleaned.some((n) => n.length < 5 || n.length > 20)) {
        throw new GatewayError('VALIDATION_FAILED', 'Phone numbers must have 5 to 20 digits');
      }
      return (await connection(sessionId)).checkNumbers(cleaned);
    },
    async profilePicture(sessionId, id) {
      const jid = requireChatJid(id, 'contact id');
      return (await connection(sessionId)).profilePictureUrl(jid);
    },
    async block(sessionId, id, blocked) {
      const jid = requireChatJid(id, 'contact id');
      await (await connection(sessionId)).setBlocked(jid, blocked);
    },
  };
}

/** Group operations; metadata changes are stored and announced as `group.upserted`. */
export function createGroupsApi({ store, connection }: Deps): GroupsApi {
  const save = async (sessionId: string, group: Omit<Group, 'sessionId'>): Promise<Group> =>
    store.transaction(async (tx) => {
      await tx.chats.upsert(sessionId, {
        chatJid: group.jid,
        chatName: group.subject,
        isGroup: true,
        metadata: { group },
      });
      const stored = { ...group, sessionId };
      await appendEvent(tx, 'group.upserted', sessionId, { group: stored });
      return stored;
    });
  return {
    async list(sessionId) {
      const groups = await (await connection(sessionId)).groups.list();
      return groups.map((g) => ({ ...g, sessionId }));
    },
    async get(sessionId, groupId) {
      const jid = requireGroupJid(groupId);
      return save(sessionId, await (await connection(sessionId)).groups.get(jid));
    },
    async create(sessionId, subject, participants) {
      const live = await connection(sessionId);
      const jids = participants.map((p) => live.toJid(p));
      const invalid = participants.filter((_, i) => !jids[i]);
      if (invalid.length)
        throw new GatewayError('INVALID_RECIPIENT', `Not phone numbers or JIDs: ${invalid.join(', ')}`);
      return save(sessionId, await live.groups.create(subject, jids as string[]));
    },
    async update(sessionId, groupId, change) {
      const jid = requireGroupJid(groupId);
      if (change.picture) await requirePicture(change.picture);
      const live = await connection(sessionId);
      await live.groups.update(jid, change);
      return save(sessionId, await live.groups.get(jid));
    },
    async participants(sessionId, groupId, action: GroupParticipantsAction, participants) {
      const jid = requireGroupJid(groupId);
      const live = await connection(sessionId);
      const jids = participants.map((p) => live.toJid(p));
      const invalid = participants.filter((_, i) => !jids[i]);
      if (invalid.length)
        throw new GatewayError('INVALID_RECIPIENT', `Not phone numbers or JIDs: ${invalid.join(', ')}`);
      return live.groups.participants(jid, action, jids as string[]);
    },
    async inviteCode(sessionId, groupId) {
      const jid = requireGroupJid(groupId);
      return (await connection(sessionId)).groups.inviteCode(jid);
    },
    async revokeInvite(sessionId, groupId) {
      const jid = requireGroupJid(groupId);
      return (await connection(sessionId)).groups.revokeInvite(jid);
    },
    join: async (sessionId, code) =>
      (await connection(sessionId)).groups.join(code.replace(/^https?:\/\/chat\.whatsapp\.com\//, '')),
    async leave(sessionId, groupId) {
      const jid = requireGroupJid(groupId);
      await (await connection(sessionId)).groups.leave(jid);
    },
  };
}

/** The session's own WhatsApp profile. */
export function createProfileApi({ store, connection }: Deps): ProfileApi {
  return {
    async update(sessionId, change) {
      if (change.picture) await requirePicture(change.picture);
      await (await connection(sessionId)).updateProfile(change);
      if (change.name !== undefined) await store.sessions.update(sessionId, { pushName: change.name });
    },
  };
}

/** A profile or group picture must be a JPEG or PNG image (WhatsApp resizes it). */
async function requirePicture(picture: Buffer): Promise<void> {
  const type = await sniffMimeType(picture);
  if (type !== 'image/jpeg' && type !== 'image/png') {
    throw new GatewayError(
      'VALIDATION_FAILED',
      `picture must be a JPEG or PNG image, not ${type ?? 'unknown bytes'}`,
    );
  }
}
