import { describe, expect, it } from 'vitest';
import type { NewDeadLetter } from '../../contracts/dead-letter.js';
import type { StoredEvent } from '../../contracts/events.js';
import type { NewEvent, Store } from '../../ports/store.js';
import { expectCode, isoPattern, newEvent, newSession, presence, uuidPattern } from './fixtures.js';

/** Per-session consumption (parked streams), where a new consumer starts, retention. */
export function consumptionTests(store: () => Store): void {
  const append = async (event: NewEvent): Promise<StoredEvent> => {
    await store().events.append(event);
    const stored = await store().events.get(event.id);
    if (!stored) throw new Error(`event ${event.id} is not listed after append`);
    return stored;
  };
  const old = (event: NewEvent, daysAgo: number): NewEvent => ({
    ...event,
    occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
  });

  describe('per-session consumption', () => {
    it('starts a new consumer at the given position; an existing one keeps its own', async () => {
      const cursors = store().cursors;
      expect(await cursors.claim('fresh', 'a', 10_000, 42)).toBe(42);
      expect(await cursors.commit('fresh', 'a', 50, 10_000)).toBe(true);
      expect(await cursors.claim('fresh', 'a', 10_000, 7)).toBe(50);
    });

    it('parks, moves and drops streams under the lease only', async () => {
      const cursors = store().cursors;
      await cursors.claim('c', 'a', 10_000);
      expect(await cursors.parked('c')).toEqual([]);
      expect(await cursors.park('c', 'a', 'session-1', 4)).toBe(true);
      expect(await cursors.park('c', 'a', '', 9)).toBe(true);
      expect(await cursors.park('c', 'a', 'session-1', 6)).toBe(true);
      expect(await cursors.park('c', 'b', 'session-2', 1)).toBe(false); // not the holder
      expect(await cursors.park('other', 'a', 'session-2', 1)).toBe(false); // no such consumer
      const parked = await cursors.parked('c');
      expect(parked.sort((x, y) => x.stream.localeCompare(y.stream))).toEqual([
        { stream: '', position: 9 },
        { stream: 'session-1', position: 6 },
      ]);
      expect(await cursors.unpark('c', 'b', 'session-1')).toBe(false);
      expect(await cursors.unpark('c', 'a', 'session-1')).toBe(true);
      expect(await cursors.parked('c')).toEqual([{ stream: '', position: 9 }]);
      // parked streams survive a release and a takeover
      await cursors.release('c', 'a');
      expect(await cursors.claim('c', 'b', 10_000)).toBe(0);
      expect(await cursors.parked('c')).toEqual([{ stream: '', position: 9 }]);
    });

    it('lists only events without a session for sessionId null', async () => {
      const s = await newSession(store(), 's');
      await append(newEvent('presence.updated', s.id, presence('a@s.whatsapp.net')));
      const none = await append(newEvent('chat.deleted', null, { chatJid: 'x@g.us' }));
      expect(await store().events.list({ afterSeq: 0, limit: 10, sessionId: null })).toEqual([none]);
    });
  });

  describe('event retention', () => {
    it('prunes old events only below every cursor and every parked stream', async () => {
      const events = store().events;
      const e1 = await append(old(newEvent('chat.deleted', null, { chatJid: '1@g.us' }), 40));
      const e2 = await append(old(newEvent('chat.deleted', null, { chatJid: '2@g.us' }), 40));
      const e3 = await append(old(newEvent('chat.deleted', null, { chatJid: '3@g.us' }), 40));
      const fresh = await append(old(newEvent('chat.deleted', null, { chatJid: '4@g.us' }), 0));
      const cutoff = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const cursors = store().cursors;
      await cursors.claim('slow', 'a', 10_000);
      await cursors.commit('slow', 'a', e3.seq, 10_000);
      await cursors.park('slow', 'a', 'session-1', e1.seq); // this stream has not handled e2, e3
      await cursors.claim('fast', 'a', 10_000, fresh.seq);
      expect(await events.prune(cutoff, 100)).toBe(1);
      expect(await events.get(e1.id)).toBeNull();
      expect(await events.get(e2.id)).toEqual(e2);
      await cursors.unpark('slow', 'a', 'session-1');
      expect(await events.prune(cutoff, 1)).toBe(1); // the limit holds
      expect(await events.prune(cutoff, 100)).toBe(1);
      await cursors.commit('slow', 'a', fresh.seq, 10_000);
      expect(await events.list({ afterSeq: 0, limit: 10 })).toEqual([fresh]); // seen, but too young to go
      expect(await events.prune(cutoff, 100)).toBe(0);
      expect(await events.head()).toBe(fresh.seq);
    });
  });

  describe('dead letters', () => {
    const letter = (overrides: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
      kind: 'event',
      pluginId: 'webhooks',
      name: 'message.received',
      sessionId: null,
      payload: { id: 'evt', nested: { list: [1, 'two', null] } },
      error: 'downstream is down',
      attempts: 10,
      ...overrides,
    });

    it('keeps, gets, lists newest first with filters and pages, counts and deletes', async () => {
      const s = await newSession(store(), 's');
      const dead = store().deadLetters;
      const a = await dead.add(letter());
      expect(a).toEqual({
        ...letter(),
        id: expect.stringMatching(uuidPattern),
        createdAt: expect.stringMatching(isoPattern),
      });
      expect(await dead.get(a.id)).toEqual(a);
      const b = await dead.add(letter({ kind: 'job', name: 'deliver', sessionId: s.id, payload: null }));
      const c = await dead.add(letter({ pluginId: 'chatwoot' }));
      const all = await dead.list();
      expect(all.items.map((d) => d.id).sort()).toEqual([a.id, b.id, c.id].sort());
      expect(all.items.map((d) => d.createdAt)).toEqual(
        [...all.items.map((d) => d.createdAt)].sort().reverse(),
      );
      expect((await dead.list({ kind: 'job' })).items).toEqual([b]);
      expect((await dead.list({ sessionId: s.id })).items).toEqual([b]);
      expect((await dead.list({ pluginId: 'chatwoot' })).items).toEqual([c]);
      const first = await dead.list({ limit: 2 });
      expect(first.items).toHaveLength(2);
      const rest = await dead.list({ limit: 2, cursor: first.nextCursor as string });
      expect(rest).toEqual({ items: [all.items[2]], nextCursor: null });
      await expectCode(dead.list({ cursor: 'nope' }), 'INVALID_CURSOR');
      const counts = await dead.counts();
      expect(counts.sort((x, y) => `${x.pluginId}${x.kind}`.localeCompare(`${y.pluginId}${y.kind}`))).toEqual(
        [
          { pluginId: 'chatwoot', kind: 'event', count: 1 },
          { pluginId: 'webhooks', kind: 'event', count: 1 },
          { pluginId: 'webhooks', kind: 'job', count: 1 },
        ],
      );
      expect(await dead.delete(a.id)).toBe(true);
      expect(await dead.delete(a.id)).toBe(false);
      expect(await dead.get(a.id)).toBeNull();
      expect(await dead.get('not-a-uuid')).toBeNull();
    });

    it('keeps a dead letter added in a transaction only if it commits', async () => {
      await expect(
        store().transaction(async (tx) => {
          await tx.deadLetters.add(letter({ name: 'rolled-back' }));
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      await store().transaction((tx) => tx.deadLetters.add(letter({ name: 'committed' })));
      expect((await store().deadLetters.list()).items.map((d) => d.name)).toEqual(['committed']);
    });
  });
}
