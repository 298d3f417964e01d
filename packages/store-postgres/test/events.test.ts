import { randomUUID } from 'node:crypto';
import { DurableConsumer, type NewEvent, type StoredEvent, silentLogger } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { backends, storeFactory } from './helpers.js';

const event = (sessionId: string | null = null): NewEvent<'chat.deleted'> => ({
  id: ulid(),
  type: 'chat.deleted',
  sessionId,
  occurredAt: new Date().toISOString(),
  data: { chatJid: `${randomUUID()}@s.whatsapp.net` },
});

// event ids are ULIDs in production; the store treats them as opaque unique text
const ulid = () => randomUUID();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await sleep(20);
  }
}

const tuning = {
  pollIntervalMs: 5_000, // long: wake-ups must come from NOTIFY
  leaseMs: 1_000,
  batchSize: 7,
  maxAttempts: 3,
  retryMinMs: 10,
  retryMaxMs: 50,
};

describe.each(backends)('event log on %s', (backend) => {
  const stores = storeFactory(backend);
  let store: PostgresStore;
  beforeAll(async () => {
    await stores.setup();
    store = stores.create();
    await store.init();
  });
  afterAll(() => stores.teardown());

  it('makes an append in a transaction visible only on commit, and wakes listeners then', async () => {
    const head = await store.events.head();
    let wakes = 0;
    const off = store.onEventsAppended(() => wakes++);
    await sleep(200); // let the LISTEN connection come up
    wakes = 0;
    await expect(
      store.transaction(async (tx) => {
        await tx.events.append(event());
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await store.events.head()).toBe(head);

    const appended = await store.transaction(async (tx) => {
      const a = await tx.events.append(event());
      const b = await tx.events.append(event());
      expect(await tx.events.list({ afterSeq: head, limit: 10 })).toHaveLength(2); // own writes
      return [a, b];
    });
    expect(appended[1]?.seq).toBeGreaterThan(appended[0]?.seq ?? Infinity);
    await waitFor(() => wakes > 0);
    const listed = await store.events.list({ afterSeq: head, limit: 10 });
    expect(listed.map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect(await store.events.get(appended[0]?.id ?? '')).toEqual(appended[0]);
    off();
  });

  it('filters by session and by exact or wildcard types', async () => {
    const session = randomUUID();
    const head = await store.events.head();
    const a = await store.events.append(event(session));
    await store.events.append(event());
    const c = await store.events.append({
      id: ulid(),
      type: 'presence.updated',
      sessionId: session,
      occurredAt: new Date().toISOString(),
      data: { chatJid: 'x', jid: 'x', presence: 'available', lastSeen: null },
    });
    expect(
      (await store.events.list({ afterSeq: head, limit: 10, sessionId: session })).map((e) => e.seq),
    ).toEqual([a.seq, c.seq]);
    const byType = await store.events.list({ afterSeq: head, limit: 10, types: ['presence.*'] });
    expect(byType.map((e) => e.seq)).toEqual([c.seq]);
    expect(
      await store.events.list({ afterSeq: head, limit: 10, types: ['chat.deleted', 'nope.*'] }),
    ).toHaveLength(2);
    expect(await store.events.list({ afterSeq: head, limit: 10, sessionId: 'not-a-uuid' })).toEqual([]);
  });

  it('resumes a consumer killed mid-stream from its cursor without losing or skipping an event', async () => {
    const name = `consumer-${randomUUID()}`;
    const head = await store.events.head();
    // the new consumer starts at the beginning: skip what other tests appended
    expect(await store.cursors.claim(name, 'setup', 1000)).toBe(0);
    expect(await store.cursors.commit(name, 'setup', head, 1000)).toBe(true);
    await store.cursors.release(name, 'setup');

    const appended: StoredEvent[] = [];
    for (let i = 0; i < 30; i++) appended.push(await store.events.append(event()));

    const seenA: number[] = [];
    const killAt = appended[17]?.seq;
    const a = new DurableConsumer({
      name,
      owner: 'process-a',
      store,
      logger: silentLogger,
      tuning,
      async handle(e) {
        seenA.push(e.seq);
        // process A freezes (killed) on this event: it never returns, never commits it
        if (e.seq === killAt) await new Promise(() => {});
      },
    });
    a.start();
    await waitFor(() => seenA.includes(killAt as number));

    const seenB: number[] = [];
    const b = new DurableConsumer({
      name,
      owner: 'process-b',
      store,
      logger: silentLogger,
      tuning: { ...tuning, pollIntervalMs: 100 },
      async handle(e) {
        seenB.push(e.seq);
      },
    });
    b.start();
    const more: StoredEvent[] = [];
    for (let i = 0; i < 5; i++) more.push(await store.events.append(event()));
    const all = [...appended, ...more].map((e) => e.seq);
    await waitFor(() => seenB.at(-1) === all.at(-1));
    await b.stop();

    expect(seenA).toEqual(all.slice(0, 18));
    // B redelivers the event A never finished (at least once) and continues in order
    expect(seenB).toEqual(all.slice(17));
  });

  it('leases: one holder at a time, commits only forward, release frees', async () => {
    const name = `lease-${randomUUID()}`;
    expect(await store.cursors.claim(name, 'a', 10_000)).toBe(0);
    expect(await store.cursors.claim(name, 'b', 10_000)).toBeNull();
    expect(await store.cursors.commit(name, 'a', 5, 10_000)).toBe(true);
    expect(await store.cursors.commit(name, 'a', 3, 10_000)).toBe(true);
    expect(await store.cursors.commit(name, 'b', 9, 10_000)).toBe(false);
    expect(await store.cursors.claim(name, 'a', 10_000)).toBe(5);
    await store.cursors.release(name, 'a');
    expect(await store.cursors.claim(name, 'b', 50)).toBe(5);
    await sleep(120);
    expect(await store.cursors.commit(name, 'b', 6, 50)).toBe(false); // expired
    expect(await store.cursors.claim(name, 'a', 10_000)).toBe(5);
  });
});

describe('event visibility with concurrent transactions on Postgres', () => {
  const stores = storeFactory('postgres');
  let store: PostgresStore;
  beforeAll(async () => {
    await stores.setup();
    store = stores.create({ pool: { max: 12 } });
    await store.init();
  });
  afterAll(() => stores.teardown());

  it('never lets a later-committing transaction surface below a position already read', async () => {
    const head = await store.events.head();
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstAppended: () => void = () => {};
    const firstReady = new Promise<void>((r) => {
      firstAppended = r;
    });
    // T1 draws its seq first and commits last; T2 appends while T1 is still open
    const t1 = store.transaction(async (tx) => {
      const e = await tx.events.append(event());
      firstAppended();
      await firstHolds;
      return e;
    });
    await firstReady;
    let t2Done = false;
    const t2 = store
      .transaction(async (tx) => tx.events.append(event()))
      .finally(() => {
        t2Done = true;
      });
    try {
      await sleep(300);
      // nothing is visible while T1 is open, and T2 cannot get ahead of it
      expect(await store.events.list({ afterSeq: head, limit: 10 })).toEqual([]);
      expect(t2Done).toBe(false);
    } finally {
      releaseFirst();
    }
    const [e1, e2] = await Promise.all([t1, t2]);
    expect(e1.seq).toBeLessThan(e2.seq);
    expect((await store.events.list({ afterSeq: head, limit: 10 })).map((e) => e.seq)).toEqual([
      e1.seq,
      e2.seq,
    ]);
  });

  it('a cursor reader polling during many concurrent appenders sees every event exactly once', async () => {
    const head = await store.events.head();
    let cursor = head;
    const seen: number[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing || (await store.events.head()) > cursor) {
        const page = await store.events.list({ afterSeq: cursor, limit: 50 });
        for (const e of page) {
          expect(e.seq).toBeGreaterThan(cursor);
          seen.push(e.seq);
          cursor = e.seq;
        }
        await sleep(2);
      }
    })();
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const committed: number[] = [];
      for (let i = 0; i < 15; i++) {
        const seqs = await store.transaction(async (tx) => {
          const e = await tx.events.append(event());
          await sleep(Math.random() * 8 + (w % 3)); // commit at random times after drawing the seq
          return [e.seq];
        });
        committed.push(...seqs);
      }
      return committed;
    });
    const committed = (await Promise.all(writers)).flat().sort((x, y) => x - y);
    writing = false;
    await reader;
    expect(seen).toEqual(committed);
  });
});
