import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../contracts/events.js';
import type { NewEvent, Store } from '../../ports/store.js';
import { newEvent, newSession, presence, waitFor } from './fixtures.js';

export function eventTests(store: () => Store): void {
  /** Appends outside a transaction (positioned when it resolves) and reads it back. */
  const append = async (event: NewEvent): Promise<StoredEvent> => {
    const appended = await store().events.append(event);
    expect(appended).toEqual(event);
    const stored = await store().events.get(event.id);
    if (!stored) throw new Error(`event ${event.id} is not listed after append`);
    return stored;
  };

  describe('event log', () => {
    it('appends with increasing positions and lists after a position', async () => {
      const s = await newSession(store(), 's');
      expect(await store().events.head()).toBe(0);
      expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([]);
      const e1 = newEvent('presence.updated', s.id, presence('a@s.whatsapp.net'));
      const stored1 = await append(e1);
      expect(stored1).toEqual({ ...e1, seq: expect.any(Number) });
      const stored2 = await append(newEvent('chat.deleted', null, { chatJid: 'x@g.us' }));
      const stored3 = await append(newEvent('presence.updated', s.id, presence('b@s.whatsapp.net')));
      expect(stored1.seq).toBeGreaterThan(0);
      expect(stored2.seq).toBeGreaterThan(stored1.seq);
      expect(stored3.seq).toBeGreaterThan(stored2.seq);
      expect(await store().events.head()).toBe(stored3.seq);
      expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([stored1, stored2, stored3]);
      expect(await store().events.list({ afterSeq: stored1.seq, limit: 10 })).toEqual([stored2, stored3]);
      expect(await store().events.list({ afterSeq: 0, limit: 2 })).toEqual([stored1, stored2]);
      expect(await store().events.list({ afterSeq: stored3.seq, limit: 10 })).toEqual([]);
    });

    it('filters by session and by types (exact names and prefix patterns)', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      const p = await append(newEvent('presence.updated', a.id, presence('a@s.whatsapp.net')));
      const d = await append(newEvent('chat.deleted', b.id, { chatJid: 'c@g.us' }));
      const g = await append(
        newEvent('group.participants', a.id, {
          groupJid: 'c@g.us',
          action: 'add',
          participants: ['x@s.whatsapp.net'],
          actor: null,
        }),
      );
      const list = (filter: { sessionId?: string; types?: string[] }) =>
        store().events.list({ afterSeq: 0, limit: 10, ...filter });
      expect(await list({ sessionId: a.id })).toEqual([p, g]);
      expect(await list({ sessionId: b.id })).toEqual([d]);
      expect(await list({ types: ['chat.deleted'] })).toEqual([d]);
      expect(await list({ types: ['chat.deleted', 'presence.updated'] })).toEqual([p, d]);
      expect(await list({ types: ['group.*'] })).toEqual([g]);
      expect(await list({ types: ['*'] })).toEqual([p, d, g]);
      expect(await list({ sessionId: a.id, types: ['chat.deleted'] })).toEqual([]);
      expect(await list({ types: ['message.received'] })).toEqual([]);
    });

    it('reads history newest first, page by page below a position', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      const e1 = await append(newEvent('presence.updated', a.id, presence('1@s.whatsapp.net')));
      const other = await append(newEvent('presence.updated', b.id, presence('2@s.whatsapp.net')));
      const e2 = await append(newEvent('chat.deleted', a.id, { chatJid: 'c@g.us' }));
      const e3 = await append(newEvent('presence.updated', a.id, presence('3@s.whatsapp.net')));
      const back = (filter: { beforeSeq?: number; limit?: number; types?: string[] }) =>
        store().events.list({ afterSeq: 0, limit: 10, sessionId: a.id, newestFirst: true, ...filter });
      expect(await back({})).toEqual([e3, e2, e1]);
      expect(await back({ limit: 2 })).toEqual([e3, e2]);
      expect(await back({ limit: 2, beforeSeq: e2.seq })).toEqual([e1]);
      expect(await back({ types: ['presence.*'] })).toEqual([e3, e1]);
      expect(await back({ beforeSeq: e1.seq })).toEqual([]);
      // oldest first stays the default, and beforeSeq bounds it too
      expect(await store().events.list({ afterSeq: 0, limit: 10, beforeSeq: e2.seq })).toEqual([e1, other]);
    });

    it('gets an event by id with its payload intact', async () => {
      const s = await newSession(store(), 's');
      const event = newEvent('session.status', s.id, {
        status: 'connected',
        previous: 'connecting',
        reason: null,
        session: { ...s, settings: { ...s.settings, markRead: true } },
      });
      const stored = await append(event);
      expect(stored).toEqual({ ...event, seq: expect.any(Number) });
      expect(stored.data).toEqual(event.data);
      expect(await store().events.get('01J0000000000000000000NONE')).toBeNull();
    });

    it('wakes listeners after an append is committed', async () => {
      const heads: Promise<number>[] = [];
      const unsubscribe = store().onEventsAppended(() => heads.push(store().events.head()));
      const appended = await store().transaction((tx) =>
        tx.events.append(newEvent('chat.deleted', null, { chatJid: 'a@g.us' })),
      );
      await waitFor(() => expect(heads.length).toBeGreaterThan(0));
      expect(await heads[0]).toBe((await store().events.get(appended.id))?.seq);
      const direct = await append(newEvent('chat.deleted', null, { chatJid: 'b@g.us' }));
      await waitFor(async () => expect(await Promise.all(heads)).toContain(direct.seq));
      unsubscribe();
      const count = heads.length;
      await append(newEvent('chat.deleted', null, { chatJid: 'c@g.us' }));
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(heads.length).toBe(count);
    });
    it('appends several events in order, in one go, positioned on commit', async () => {
      const s = await newSession(store(), 's');
      const before = await store().events.head();
      const events = ['a', 'b', 'c'].map((x) => newEvent('chat.deleted', s.id, { chatJid: `${x}@g.us` }));
      await store().transaction(async (tx) => {
        await tx.events.append(newEvent('presence.updated', s.id, presence('a@s.whatsapp.net')));
        await tx.events.appendMany(events);
        await tx.events.appendMany([]);
      });
      const listed = await store().events.list({ afterSeq: before, limit: 10 });
      expect(listed.map((e) => e.type)).toEqual(['presence.updated', ...events.map((e) => e.type)]);
      expect(listed.slice(1)).toEqual(events.map((e) => ({ ...e, seq: expect.any(Number) })));
      expect(listed.map((e) => e.seq)).toEqual([...listed.map((e) => e.seq)].sort((x, y) => x - y));
    });

    it('gives a later commit a later position than everything already listed', async () => {
      const s = await newSession(store(), 's');
      const first = await append(newEvent('chat.deleted', s.id, { chatJid: 'first@g.us' }));
      const later = await store().transaction(async (tx) =>
        tx.events.append(newEvent('chat.deleted', s.id, { chatJid: 'later@g.us' })),
      );
      const listed = await store().events.list({ afterSeq: first.seq, limit: 10 });
      expect(listed).toEqual([{ ...later, seq: expect.any(Number) }]);
      expect(listed[0]?.seq).toBeGreaterThan(first.seq);
    });
  });
}
