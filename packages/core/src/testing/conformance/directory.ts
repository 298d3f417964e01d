import { describe, expect, it } from 'vitest';
import type { Chat } from '../../contracts/chat.js';
import type { Store } from '../../ports/store.js';
import { expectCode, isoPattern, newSession } from './fixtures.js';

/** Every page of a list, following cursors. */
async function allPages<T>(
  list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor: string | null }>,
): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && pages.length < 100);
  return pages;
}

export function chatTests(store: () => Store): void {
  describe('chats', () => {
    it('inserts with defaults, then merges: absent fields keep their value, null clears', async () => {
      const s = await newSession(store(), 's');
      const jid = '15550001111@s.whatsapp.net';
      const created = await store().chats.upsert(s.id, { chatJid: jid, chatName: 'Ana' });
      expect(created).toEqual({
        sessionId: s.id,
        chatJid: jid,
        chatName: 'Ana',
        phoneNumber: null,
        isGroup: false,
        lastMsgAt: null,
        unreadCount: 0,
        isArchived: false,
        isPinned: false,
        mutedUntil: null,
        metadata: {},
      });
      const merged = await store().chats.upsert(s.id, {
        chatJid: jid,
        unreadCount: 3,
        lastMsgAt: '2024-05-01T10:00:00.000Z',
        metadata: { labels: ['vip'] },
      });
      expect(merged).toEqual({
        ...created,
        unreadCount: 3,
        lastMsgAt: '2024-05-01T10:00:00.000Z',
        metadata: { labels: ['vip'] },
      });
      const cleared = await store().chats.upsert(s.id, { chatJid: jid, chatName: null, isArchived: true });
      expect(cleared).toEqual({ ...merged, chatName: null, isArchived: true });
      expect(await store().chats.get(s.id, jid)).toEqual(cleared);
      expect(await store().chats.get(s.id, 'other@s.whatsapp.net')).toBeNull();
    });

    it('upserts many chats of several sessions at once, merging repeats in order', async () => {
      const s = await newSession(store(), 's');
      const t = await newSession(store(), 't');
      const a = '15550001111@s.whatsapp.net';
      const b = '15550002222@s.whatsapp.net';
      await store().chats.upsert(s.id, { chatJid: a, chatName: 'Ana', isArchived: true });
      const chats = await store().transaction((tx) =>
        tx.chats.upsertMany([
          { sessionId: s.id, chatJid: a, lastMsgAt: '2024-05-01T10:00:00.000Z' },
          { sessionId: t.id, chatJid: a, chatName: 'Other Ana', isGroup: false },
          { sessionId: s.id, chatJid: b, chatName: 'Bea' },
          { sessionId: s.id, chatJid: a, lastMsgAt: '2024-05-01T10:05:00.000Z', chatName: 'Ana B.' },
        ]),
      );
      expect(chats.map((c) => [c.sessionId, c.chatJid])).toEqual([
        [s.id, a],
        [t.id, a],
        [s.id, b],
      ]);
      // merged in order; fields absent everywhere keep their stored value
      expect(chats[0]).toMatchObject({
        chatName: 'Ana B.',
        lastMsgAt: '2024-05-01T10:05:00.000Z',
        isArchived: true,
      });
      expect(chats[1]).toMatchObject({ chatName: 'Other Ana', lastMsgAt: null });
      expect(await store().chats.get(s.id, b)).toEqual(chats[2]);
      expect(await store().chats.upsertMany([])).toEqual([]);
    });

    it('keeps chats of different sessions apart and deletes one', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      await store().chats.upsert(a.id, { chatJid: 'x@s.whatsapp.net', chatName: 'A' });
      await store().chats.upsert(b.id, { chatJid: 'x@s.whatsapp.net', chatName: 'B' });
      expect((await store().chats.get(a.id, 'x@s.whatsapp.net'))?.chatName).toBe('A');
      expect(await store().chats.delete(a.id, 'x@s.whatsapp.net')).toBe(true);
      expect(await store().chats.delete(a.id, 'x@s.whatsapp.net')).toBe(false);
      expect(await store().chats.get(a.id, 'x@s.whatsapp.net')).toBeNull();
      expect((await store().chats.get(b.id, 'x@s.whatsapp.net'))?.chatName).toBe('B');
    });

    it('lists by recent activity (never-messaged last, ties by jid) with filters', async () => {
      const s = await newSession(store(), 's');
      const up = (input: Partial<Chat> & { chatJid: string }) => store().chats.upsert(s.id, input);
      await up({ chatJid: 'd@s.whatsapp.net' });
      await up({ chatJid: 'a@s.whatsapp.net', lastMsgAt: '2024-05-01T10:00:00.000Z', unreadCount: 2 });
      await up({ chatJid: 'g@g.us', isGroup: true, lastMsgAt: '2024-05-03T10:00:00.000Z' });
      await up({ chatJid: 'c@s.whatsapp.net', lastMsgAt: '2024-05-02T10:00:00.000Z', isArchived: true });
      await up({ chatJid: 'b@s.whatsapp.net', lastMsgAt: '2024-05-02T10:00:00.000Z', unreadCount: 1 });
      const jids = async (filter: Parameters<Store['chats']['list']>[1]) =>
        (await store().chats.list(s.id, filter)).items.map((c) => c.chatJid);
      expect(await jids({})).toEqual([
        'g@g.us',
        'b@s.whatsapp.net',
        'c@s.whatsapp.net',
        'a@s.whatsapp.net',
        'd@s.whatsapp.net',
      ]);
      expect(await jids({ archived: true })).toEqual(['c@s.whatsapp.net']);
      expect(await jids({ archived: false })).toEqual([
        'g@g.us',
        'b@s.whatsapp.net',
        'a@s.whatsapp.net',
        'd@s.whatsapp.net',
      ]);
      expect(await jids({ unread: true })).toEqual(['b@s.whatsapp.net', 'a@s.whatsapp.net']);
      expect(await jids({ unread: false })).toEqual(['g@g.us', 'c@s.whatsapp.net', 'd@s.whatsapp.net']);
      expect(await jids({ isGroup: true })).toEqual(['g@g.us']);
      expect(await jids({ isGroup: false, unread: true })).toEqual(['b@s.whatsapp.net', 'a@s.whatsapp.net']);
    });

    it('pages through chats without gaps or repeats', async () => {
      const s = await newSession(store(), 's');
      for (let i = 0; i < 7; i++) {
        const jid = `${i}@s.whatsapp.net`;
        // two share each timestamp; one has none
        const lastMsgAt = i === 6 ? null : `2024-05-0${1 + Math.floor(i / 2)}T10:00:00.000Z`;
        await store().chats.upsert(s.id, { chatJid: jid, lastMsgAt });
      }
      const order = ['4', '5', '2', '3', '0', '1', '6'].map((i) => `${i}@s.whatsapp.net`);
      const pages = await allPages((cursor) =>
        store().chats.list(s.id, { limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flat().map((c) => c.chatJid)).toEqual(order);
      const exact = await store().chats.list(s.id, { limit: 7 });
      expect(exact.items).toHaveLength(7);
      expect(exact.nextCursor).toBeNull();
      await expectCode(store().chats.list(s.id, { cursor: 'not-a-cursor' }), 'INVALID_CURSOR');
    });
  });
}

export function contactTests(store: () => Store): void {
  describe('contacts', () => {
    it('inserts with defaults and merges later knowledge', async () => {
      const s = await newSession(store(), 's');
      const jid = '15550001111@s.whatsapp.net';
      const created = await store().contacts.upsert(s.id, { jid, pushName: 'Ana' });
      expect(created).toEqual({
        sessionId: s.id,
        jid,
        lid: null,
        phoneNumber: null,
        name: null,
        pushName: 'Ana',
        isBusiness: false,
        avatarUrl: null,
        updatedAt: expect.stringMatching(isoPattern),
      });
      const merged = await store().contacts.upsert(s.id, {
        jid,
        lid: '999@lid',
        phoneNumber: '15550001111',
        isBusiness: true,
      });
      expect(merged).toEqual({
        ...created,
        lid: '999@lid',
        phoneNumber: '15550001111',
        isBusiness: true,
        updatedAt: expect.stringMatching(isoPattern),
      });
      expect(await store().contacts.get(s.id, jid)).toEqual(merged);
      expect(await store().contacts.get(s.id, 'nobody@s.whatsapp.net')).toBeNull();
    });

    it('upserts many at once and returns only the contacts it created or changed', async () => {
      const s = await newSession(store(), 's');
      const ana = '15550001111@s.whatsapp.net';
      const bob = '15550002222@s.whatsapp.net';
      await store().contacts.upsert(s.id, { jid: ana, pushName: 'Ana', phoneNumber: '15550001111' });
      const before = await store().contacts.get(s.id, ana);
      // Ana unchanged (a subset of what is stored), Bob new, repeats merged in order
      const changed = await store().contacts.upsertChanged(s.id, [
        { jid: ana, pushName: 'Ana' },
        { jid: bob, pushName: 'B' },
        { jid: bob, pushName: 'Bob', isBusiness: true },
        { jid: ana },
      ]);
      expect(changed).toEqual([
        expect.objectContaining({ sessionId: s.id, jid: bob, pushName: 'Bob', isBusiness: true, name: null }),
      ]);
      expect(await store().contacts.get(s.id, ana)).toEqual(before);
      // a changed field (and a null that clears one) is written and returned
      const renamed = await store().contacts.upsertChanged(s.id, [
        { jid: ana, pushName: 'Ana Maria', phoneNumber: null },
        { jid: bob, pushName: 'Bob', isBusiness: true },
      ]);
      expect(renamed).toEqual([
        expect.objectContaining({ jid: ana, pushName: 'Ana Maria', phoneNumber: null }),
      ]);
      expect(await store().contacts.get(s.id, ana)).toEqual(renamed[0]);
      expect(await store().contacts.upsertChanged(s.id, [])).toEqual([]);
    });

    it('finds a contact by its lid, or by a jid that is a lid', async () => {
      const s = await newSession(store(), 's');
      const other = await newSession(store(), 'other');
      await store().contacts.upsert(s.id, { jid: '15550001111@s.whatsapp.net', lid: '111@lid' });
      await store().contacts.upsert(s.id, { jid: '222@lid', pushName: 'Only lid' });
      expect((await store().contacts.getByLid(s.id, '111@lid'))?.jid).toBe('15550001111@s.whatsapp.net');
      expect((await store().contacts.getByLid(s.id, '222@lid'))?.pushName).toBe('Only lid');
      expect(await store().contacts.getByLid(s.id, '333@lid')).toBeNull();
      expect(await store().contacts.getByLid(other.id, '111@lid')).toBeNull();
    });

    it('searches name, push name, phone and jid case-insensitively, ordered by jid', async () => {
      const s = await newSession(store(), 's');
      await store().contacts.upsert(s.id, { jid: '3@s.whatsapp.net', name: 'Maria Silva' });
      await store().contacts.upsert(s.id, { jid: '1@s.whatsapp.net', pushName: 'MARIO' });
      await store().contacts.upsert(s.id, { jid: '2@s.whatsapp.net', phoneNumber: '5511987654321' });
      await store().contacts.upsert(s.id, { jid: 'zed@s.whatsapp.net' });
      const jids = async (search?: string) =>
        (await store().contacts.list(s.id, search === undefined ? {} : { search })).items.map((c) => c.jid);
      expect(await jids()).toEqual([
        '1@s.whatsapp.net',
        '2@s.whatsapp.net',
        '3@s.whatsapp.net',
        'zed@s.whatsapp.net',
      ]);
      expect(await jids('mari')).toEqual(['1@s.whatsapp.net', '3@s.whatsapp.net']);
      expect(await jids('SILVA')).toEqual(['3@s.whatsapp.net']);
      expect(await jids('98765')).toEqual(['2@s.whatsapp.net']);
      expect(await jids('ZED@')).toEqual(['zed@s.whatsapp.net']);
      expect(await jids('nobody')).toEqual([]);
    });

    it('pages through contacts (also while searching)', async () => {
      const s = await newSession(store(), 's');
      for (const n of [5, 1, 4, 2, 3]) {
        await store().contacts.upsert(s.id, { jid: `${n}@s.whatsapp.net`, name: n % 2 ? 'odd' : 'even' });
      }
      const pages = await allPages((cursor) =>
        store().contacts.list(s.id, { limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      expect(pages.map((p) => p.map((c) => c.jid))).toEqual([
        ['1@s.whatsapp.net', '2@s.whatsapp.net'],
        ['3@s.whatsapp.net', '4@s.whatsapp.net'],
        ['5@s.whatsapp.net'],
      ]);
      const odd = await allPages((cursor) =>
        store().contacts.list(s.id, { search: 'ODD', limit: 2, ...(cursor ? { cursor } : {}) }),
      );
      expect(odd.map((p) => p.map((c) => c.jid))).toEqual([
        ['1@s.whatsapp.net', '3@s.whatsapp.net'],
        ['5@s.whatsapp.net'],
      ]);
      await expectCode(store().contacts.list(s.id, { cursor: '%%%' }), 'INVALID_CURSOR');
    });
  });
}
