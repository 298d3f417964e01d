import type { Chat } from '../../contracts/chat.js';
import type { Contact, ContactInput } from '../../contracts/contact.js';
import type { ChatRepo, ContactRepo } from '../../ports/store.js';
import { compareText, decodeCursor, isoOrNull, page } from './paging.js';
import { copy, key, type Views } from './state.js';

/** `input` without its `undefined` fields (absent fields keep their stored value). */
function defined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Chats over one unit of work. */
export function chatRepo(views: Views): ChatRepo {
  const sessionChats = (sessionId: string) => views.chats.values().filter((c) => c.sessionId === sessionId);
  const repo: ChatRepo = {
    async upsertMany(inputs) {
      const out = new Map<string, Chat>();
      for (const { sessionId, ...input } of inputs) {
        out.set(key(sessionId, input.chatJid), await repo.upsert(sessionId, input));
      }
      return [...out.values()];
    },
    async upsert(sessionId, input) {
      const k = key(sessionId, input.chatJid);
      const current: Chat = views.chats.get(k) ?? {
        sessionId,
        chatJid: input.chatJid,
        chatName: null,
        phoneNumber: null,
        isGroup: false,
        lastMsgAt: null,
        unreadCount: 0,
        isArchived: false,
        isPinned: false,
        mutedUntil: null,
        metadata: {},
      };
      const chat: Chat = { ...current, ...copy(defined(input)), sessionId, chatJid: input.chatJid };
      chat.lastMsgAt = isoOrNull(chat.lastMsgAt);
      chat.mutedUntil = isoOrNull(chat.mutedUntil);
      views.chats.set(k, chat);
      return copy(chat);
    },
    get: async (sessionId, chatJid) => copy(views.chats.get(key(sessionId, chatJid)) ?? null),
    async list(sessionId, filter = {}) {
      // Most recent activity first; never-messaged chats last, then by jid
      const activity = (c: Chat) => c.lastMsgAt ?? '';
      const order = (a: Chat, b: Chat) =>
        compareText(activity(b), activity(a)) || compareText(a.chatJid, b.chatJid);
      let chats = sessionChats(sessionId).filter(
        (c) =>
          (filter.archived === undefined || c.isArchived === filter.archived) &&
          (filter.isGroup === undefined || c.isGroup === filter.isGroup) &&
          (filter.unread === undefined || c.unreadCount > 0 === filter.unread),
      );
      if (filter.cursor) {
        const [at, jid] = decodeCursor(
          filter.cursor,
          (p) => p.length === 2 && (p[0] === null || typeof p[0] === 'string') && typeof p[1] === 'string',
        ) as [string | null, string];
        const after = { lastMsgAt: at, chatJid: jid } as Chat;
        chats = chats.filter((c) => order(after, c) < 0);
      }
      return page(chats.sort(order), filter.limit, (c) => [c.lastMsgAt, c.chatJid]);
    },
    delete: async (sessionId, chatJid) => views.chats.delete(key(sessionId, chatJid)),
  };
  return repo;
}

/** Contacts over one unit of work. */
export function contactRepo(views: Views): ContactRepo {
  const sessionContacts = (sessionId: string) =>
    views.contacts.values().filter((c) => c.sessionId === sessionId);
  const repo: ContactRepo = {
    async upsert(sessionId, input) {
      const k = key(sessionId, input.jid);
      const current: Contact = views.contacts.get(k) ?? {
        sessionId,
        jid: input.jid,
        lid: null,
        phoneNumber: null,
        name: null,
        pushName: null,
        isBusiness: false,
        avatarUrl: null,
        updatedAt: '',
      };
      const contact: Contact = {
        ...current,
        ...copy(defined(input)),
        sessionId,
        jid: input.jid,
        updatedAt: new Date().toISOString(),
      };
      views.contacts.set(k, contact);
      return copy(contact);
    },
    async upsertChanged(sessionId, inputs) {
      const merged = new Map<string, ContactInput>();
      for (const input of inputs)
        merged.set(input.jid, { ...merged.get(input.jid), ...defined(input), jid: input.jid });
      const changed: Contact[] = [];
      for (const input of merged.values()) {
        const before = views.contacts.get(key(sessionId, input.jid));
        const same = before && Object.entries(input).every(([k, v]) => before[k as keyof Contact] === v);
        if (!same) changed.push(await repo.upsert(sessionId, input));
      }
      return changed;
    },
    get: async (sessionId, jid) => copy(views.contacts.get(key(sessionId, jid)) ?? null),
    async getByLid(sessionId, lid) {
      const all = sessionContacts(sessionId);
      // a contact known by its lid beats one whose jid is the lid
      const found =
        all.filter((c) => c.lid === lid).sort((a, b) => compareText(a.jid, b.jid))[0] ??
        all.find((c) => c.jid === lid);
      return copy(found ?? null);
    },
    async list(sessionId, filter = {}) {
      const needle = filter.search?.toLowerCase();
      let contacts = sessionContacts(sessionId).filter(
        (c) =>
          !needle ||
          [c.name, c.pushName, c.phoneNumber, c.jid].some((v) => v?.toLowerCase().includes(needle)),
      );
      if (filter.cursor) {
        const [jid] = decodeCursor(filter.cursor, (p) => p.length === 1 && typeof p[0] === 'string') as [
          string,
        ];
        contacts = contacts.filter((c) => compareText(c.jid, jid) > 0);
      }
      contacts.sort((a, b) => compareText(a.jid, b.jid));
      return page(contacts, filter.limit, (c) => [c.jid]);
    },
  };
  return repo;
}
