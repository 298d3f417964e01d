import { describe, expect, it } from 'vitest';
import { deferred } from '../../deferred.js';
import type { Store } from '../../ports/store.js';
import { newEvent, newSession, presence, textMessage } from './fixtures.js';

export function transactionTests(store: () => Store, concurrentReads: boolean): void {
  describe('transactions', () => {
    it('commits every write and returns what fn returned', async () => {
      const s = await newSession(store(), 's');
      const result = await store().transaction(async (tx) => {
        await tx.sessions.update(s.id, { status: 'connected' });
        const event = await tx.events.append(
          newEvent('presence.updated', s.id, presence('a@s.whatsapp.net')),
        );
        // a unit of work sees its own writes; its events get their position with the commit
        expect((await tx.sessions.get(s.id))?.status).toBe('connected');
        expect(await tx.events.list({ afterSeq: 0, limit: 10 })).toEqual([]);
        return event;
      });
      expect((await store().sessions.get(s.id))?.status).toBe('connected');
      const listed = await store().events.list({ afterSeq: 0, limit: 10 });
      expect(listed).toEqual([{ ...result, seq: expect.any(Number) }]);
      expect(await store().events.head()).toBe(listed[0]?.seq);
    });

    it('rolls everything back when fn throws, events included', async () => {
      const s = await newSession(store(), 's');
      const before = await store().events.head();
      const boom = new Error('boom');
      await expect(
        store().transaction(async (tx) => {
          await tx.sessions.update(s.id, { status: 'connected', pushName: 'X' });
          await tx.events.append(newEvent('presence.updated', s.id, presence('a@s.whatsapp.net')));
          await tx.messages.insert(textMessage(s, { waid: 'RB' }));
          await tx.chats.upsert(s.id, { chatJid: 'rb@s.whatsapp.net' });
          await tx.contacts.upsert(s.id, { jid: 'rb@s.whatsapp.net' });
          await tx.auth.setCreds(s.id, { me: 'x' });
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await store().sessions.get(s.id)).toEqual(s);
      expect(await store().events.head()).toBe(before);
      expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([]);
      expect(await store().messages.getByWaid(s.id, '15550001111@s.whatsapp.net', 'RB')).toBeNull();
      expect(await store().chats.get(s.id, 'rb@s.whatsapp.net')).toBeNull();
      expect(await store().contacts.get(s.id, 'rb@s.whatsapp.net')).toBeNull();
      expect(await store().auth.getCreds(s.id)).toBeNull();
      // the store is still usable, and the next append is listed normally
      const next = await store().events.append(newEvent('chat.deleted', null, { chatJid: 'x@g.us' }));
      expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([
        { ...next, seq: expect.any(Number) },
      ]);
    });

    it('rolls back a session created in a failed unit of work (its name is free again)', async () => {
      await expect(
        store().transaction(async (tx) => {
          await newSession(tx, 'temp');
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect(await store().sessions.getByName('temp')).toBeNull();
      expect((await newSession(store(), 'temp')).name).toBe('temp');
    });

    it('never shows a reader events appended in a transaction until it commits', async () => {
      const s = await newSession(store(), 's');
      const { promise: gate, resolve: release } = deferred();
      const { promise: wasAppended, resolve: appended } = deferred();
      const tx = store().transaction(async (t) => {
        await t.sessions.update(s.id, { status: 'connecting' });
        const event = await t.events.append(newEvent('presence.updated', s.id, presence('a@s.whatsapp.net')));
        appended();
        await gate;
        return event;
      });
      await wasAppended;
      if (concurrentReads) {
        // a pool: the reader runs now and sees the state before the transaction
        expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([]);
        expect(await store().events.head()).toBe(0);
        expect((await store().sessions.get(s.id))?.status).toBe('disconnected');
        release();
      } else {
        // one connection: the reader waits for the commit instead of seeing uncommitted rows
        let settled = false;
        const reading = store()
          .events.list({ afterSeq: 0, limit: 10 })
          .then((events) => {
            settled = true;
            return events;
          });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(settled).toBe(false);
        release();
        expect(await reading).toEqual([{ ...(await tx), seq: expect.any(Number) }]);
      }
      const event = await tx;
      expect(await store().events.list({ afterSeq: 0, limit: 10 })).toEqual([
        { ...event, seq: expect.any(Number) },
      ]);
      expect((await store().sessions.get(s.id))?.status).toBe('connecting');
    });
  });
}
