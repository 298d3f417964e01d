import { describe, expect, it } from 'vitest';
import type { Migration } from '../../ports/sql.js';
import type { Store } from '../../ports/store.js';
import { expectCode, isoPattern, newSession, nextId, sleep } from './fixtures.js';

export function cursorTests(store: () => Store): void {
  describe('consumer cursors', () => {
    it('leases a consumer to one owner at a time until the lease expires', async () => {
      const cursors = store().cursors;
      expect(await cursors.claim('c1', 'owner-a', 200)).toBe(0);
      expect(await cursors.claim('c1', 'owner-b', 200)).toBeNull();
      expect(await cursors.claim('c2', 'owner-b', 200)).toBe(0); // another consumer is independent
      expect(await cursors.claim('c1', 'owner-a', 200)).toBe(0); // the holder renews
      await sleep(300);
      expect(await cursors.claim('c1', 'owner-b', 10_000)).toBe(0);
      expect(await cursors.claim('c1', 'owner-a', 200)).toBeNull();
    });

    it('commits forward only, and only for the holder', async () => {
      const cursors = store().cursors;
      expect(await cursors.claim('c', 'owner-a', 10_000)).toBe(0);
      expect(await cursors.commit('c', 'owner-a', 5, 10_000)).toBe(true);
      expect(await cursors.commit('c', 'owner-a', 3, 10_000)).toBe(true);
      expect(await cursors.claim('c', 'owner-a', 10_000)).toBe(5);
      expect(await cursors.commit('c', 'owner-b', 9, 10_000)).toBe(false);
      expect(await cursors.commit('other', 'owner-a', 9, 10_000)).toBe(false);
      expect(await cursors.claim('c', 'owner-a', 10_000)).toBe(5);
    });

    it('lets another owner claim at once after a release, from the committed position', async () => {
      const cursors = store().cursors;
      await cursors.claim('c', 'owner-a', 10_000);
      await cursors.commit('c', 'owner-a', 7, 10_000);
      await cursors.release('c', 'owner-b'); // not the holder: no effect
      expect(await cursors.claim('c', 'owner-b', 10_000)).toBeNull();
      await cursors.release('c', 'owner-a');
      expect(await cursors.claim('c', 'owner-b', 10_000)).toBe(7);
      expect(await cursors.commit('c', 'owner-a', 8, 10_000)).toBe(false);
      expect(await cursors.commit('c', 'owner-b', 8, 10_000)).toBe(true);
      expect(await cursors.claim('c', 'owner-b', 10_000)).toBe(8);
    });
  });
}

export function authTests(store: () => Store): void {
  describe('auth state', () => {
    it('round-trips nested creds, and overwrites them', async () => {
      const s = await newSession(store(), 's');
      expect(await store().auth.getCreds(s.id)).toBeNull();
      const creds = {
        me: { id: '1:2@s.whatsapp.net', name: 'Shop' },
        noiseKey: { private: { type: 'Buffer', data: 'AQID' }, public: { type: 'Buffer', data: 'BAUG' } },
        registrationId: 1234,
        registered: true,
        accountSettings: { unarchiveChats: false },
        list: [1, 'two', null, { three: 3 }],
      };
      await store().auth.setCreds(s.id, creds);
      expect(await store().auth.getCreds(s.id)).toEqual(creds);
      await store().auth.setCreds(s.id, { ...creds, registered: false });
      expect(await store().auth.getCreds(s.id)).toEqual({ ...creds, registered: false });
    });

    it('upserts and deletes keys in one call; repeating it changes nothing', async () => {
      const s = await newSession(store(), 's');
      await store().auth.setKeys(s.id, {
        'pre-key': { '1': { keyPair: { a: 1 } }, '2': { keyPair: { a: 2 } } },
        session: { 'x.0': { record: 'r1' } },
      });
      expect(await store().auth.getKeys(s.id, 'pre-key', ['1', '2', '3'])).toEqual({
        '1': { keyPair: { a: 1 } },
        '2': { keyPair: { a: 2 } },
      });
      expect(await store().auth.getKeys(s.id, 'session', ['1'])).toEqual({});
      const change = {
        'pre-key': { '1': null, '2': { keyPair: { a: 22 } }, '3': { keyPair: { a: 3 } } },
        session: { 'x.0': null },
      };
      await store().auth.setKeys(s.id, change);
      await store().auth.setKeys(s.id, change);
      expect(await store().auth.getKeys(s.id, 'pre-key', ['1', '2', '3'])).toEqual({
        '2': { keyPair: { a: 22 } },
        '3': { keyPair: { a: 3 } },
      });
      expect(await store().auth.getKeys(s.id, 'session', ['x.0'])).toEqual({});
      expect(await store().auth.getKeys(s.id, 'pre-key', [])).toEqual({});
    });

    it('clears creds and keys of one session only', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      for (const s of [a, b]) {
        await store().auth.setCreds(s.id, { me: s.name });
        await store().auth.setKeys(s.id, { 'pre-key': { '1': { v: s.name } } });
      }
      await store().auth.clear(a.id);
      expect(await store().auth.getCreds(a.id)).toBeNull();
      expect(await store().auth.getKeys(a.id, 'pre-key', ['1'])).toEqual({});
      expect(await store().auth.getCreds(b.id)).toEqual({ me: 'b' });
      expect(await store().auth.getKeys(b.id, 'pre-key', ['1'])).toEqual({ '1': { v: 'b' } });
    });
  });
}

export function migrationTests(store: () => Store): void {
  describe('migrations', () => {
    it('applies each migration once and reports applied and pending ones', async () => {
      const owner = `conformance-${nextId().toLowerCase()}`;
      let runs = 0;
      const first: Migration = {
        name: '001_first',
        async up() {
          runs++;
        },
      };
      const second: Migration = {
        name: '002_second',
        async up() {
          runs += 10;
        },
      };
      const before = await store().migrationStatus({ [owner]: [first, second] });
      expect(before).toEqual([
        { owner, name: '001_first', checksum: expect.any(String), appliedAt: null },
        { owner, name: '002_second', checksum: expect.any(String), appliedAt: null },
      ]);
      await store().migrate(owner, [first]);
      await store().migrate(owner, [first]);
      // a store without SQL records migrations without running them
      expect(runs).toBe(store().sql ? 1 : 0);
      const after = await store().migrationStatus({ [owner]: [first, second] });
      expect(after).toEqual([
        {
          owner,
          name: '001_first',
          checksum: before[0]?.checksum,
          appliedAt: expect.stringMatching(isoPattern),
        },
        { owner, name: '002_second', checksum: before[1]?.checksum, appliedAt: null },
      ]);
    });

    it('refuses an applied migration whose source changed', async () => {
      const owner = `conformance-${nextId().toLowerCase()}`;
      await store().migrate(owner, [{ name: '001_x', up: async () => {} }]);
      await expectCode(
        store().migrate(owner, [{ name: '001_x', up: async () => void 'changed' }]),
        'MIGRATION_CHECKSUM_MISMATCH',
      );
    });
  });
}
