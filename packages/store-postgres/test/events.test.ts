import { randomUUID } from 'node:crypto';
import { DurableConsumer, type NewEvent, type StoredEvent, silentLogger } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { backends, sleep, storeFactory, waitFor } from './helpers.js';

const event = (sessionId: string | null = null): NewEvent<'chat.deleted'> => ({
  id: ulid(),
  type: 'chat.deleted',
  sessionId,
  occurredAt: new Date().toISOString(),
  data: { chatJid: `${randomUUID()}@s.whatsapp.net` },
});

// event ids are ULIDs in production; the store treats them as opaque unique text
const ulid = () => randomUUID();

const tuning = {
  pollIntervalMs: 5_000, // long: wake-ups must come from NOTIFY
  leaseMs: 1_000,
  batchSize: 7,
  maxAttempts: 3,
  retryMinMs: 10,
  retryMaxMs: 50,
  maxPending: 1000,
  concurrency: 8,
  pruneIntervalMs: 3_600_000,
};

/** Appends outside a transaction (positioned when it resolves) and reads it back with its position. */
async function appendStored(store: PostgresStore, e: NewEvent): Promise<StoredEvent> {
  await store.events.append(e);
  const stored = await store.events.get(e.id);
  if (!stored) throw new Error(`event ${e.id} not listed`);
  return stored;
}

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
      // no position before commit: not listed, not found by id
      expect(await tx.events.list({ afterSeq: head, limit: 10 })).toEqual([]);
      expect(await tx.events.get(a.id)).toBeNull();
      return [a, b];
    });
    await waitFor(() => wakes > 0);
    const listed = await store.events.list({ afterSeq: head, limit: 10 });
    expect(listed.map((e) => e.id)).toEqual(appended.map((e) => e.id));
    expect(listed[1]?.seq).toBeGreaterThan(listed[0]?.seq ?? Infinity);
    expect(await store.events.get(appended[0]?.id ?? '')).toEqual(listed[0]);
    off();
  });

  it('filters by session and by exact or wildcard types', async () => {
    const session = randomUUID();
    const head = await store.events.head();
    const a = await appendStored(store, event(session));
    await store.events.append(event());
    const c = await appendStored(store, {
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
    for (let i = 0; i < 30; i++) appended.push(await appendStored(store, event()));

    const seenA: number[] = [];
    const killAt = appended[17]?.seq;
    // process A is killed on this event: from then on nothing of it runs (no commit, no renewal)
    let killed = false;
    const frozen = <T extends object>(repo: T): T =>
      new Proxy(repo, {
        get: (target, key) => {
          const value = Reflect.get(target, key);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => (killed ? new Promise(() => {}) : value.apply(target, args));
        },
      });
    const storeOfA = Object.assign(Object.create(store), {
      cursors: frozen(store.cursors),
      events: frozen(store.events),
    }) as PostgresStore;
    const a = new DurableConsumer({
      name,
      owner: 'process-a',
      store: storeOfA,
      logger: silentLogger,
      tuning,
      startAt: 'beginning',
      async handle(e) {
        seenA.push(e.seq);
        if (e.seq === killAt) {
          killed = true;
          await new Promise(() => {});
        }
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
      startAt: 'beginning',
      async handle(e) {
        seenB.push(e.seq);
      },
    });
    b.start();
    const more: StoredEvent[] = [];
    for (let i = 0; i < 5; i++) more.push(await appendStored(store, event()));
    const all = [...appended, ...more].map((e) => e.seq);
    await waitFor(() => seenB.at(-1) === all.at(-1));
    await b.stop();

    expect(seenA).toEqual(all.slice(0, 18));
    // B resumes from A's committed cursor (commits are batched, so it may redeliver a few events
    // A handled, at least once), at or before the event A never finished, and continues in
    // order without skipping one
    const resumedAt = all.indexOf(seenB[0] as number);
    expect(resumedAt).toBeGreaterThanOrEqual(0);
    expect(resumedAt).toBeLessThanOrEqual(17);
    expect(seenB).toEqual(all.slice(resumedAt));
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

  it('lets writers commit without waiting for each other, positioned in commit order', async () => {
    const head = await store.events.head();
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((r) => {
      releaseFirst = r;
    });
    let firstAppended: () => void = () => {};
    const firstReady = new Promise<void>((r) => {
      firstAppended = r;
    });
    // T1 appends first and commits last; T2 appends and commits while T1 is still open
    const t1 = store.transaction(async (tx) => {
      const e = await tx.events.append(event());
      firstAppended();
      await firstHolds;
      return e;
    });
    await firstReady;
    let e1: StoredEvent | undefined;
    try {
      const e2 = await store.transaction(async (tx) => tx.events.append(event()));
      const visible = await store.events.list({ afterSeq: head, limit: 10 });
      expect(visible.map((e) => e.id)).toEqual([e2.id]);
      releaseFirst();
      await t1;
      const later = await store.events.list({ afterSeq: visible[0]?.seq ?? 0, limit: 10 });
      expect(later.map((e) => e.id)).toEqual([(await t1).id]);
      e1 = later[0];
    } finally {
      releaseFirst();
    }
    expect(e1?.seq).toBeGreaterThan(head);
  });

  it('reads right after a sequencer run cost no run of their own; what a crashed process left unnumbered is numbered by a later read', async () => {
    const appended = await store.transaction(async (tx) => tx.events.append(event()));
    // the commit's own run: once it ended, reads within a second go straight to the log
    const seen = await store.events.list({ afterSeq: (await store.events.head()) - 1, limit: 10 });
    expect(seen.map((e) => e.id)).toEqual([appended.id]);
    const statements: string[] = [];
    const count = (q: { sql?: string }) => statements.push(q.sql ?? '');
    store.knex.on('query', count);
    for (let i = 0; i < 5; i++) await store.events.list({ afterSeq: seen[0]!.seq, limit: 10 });
    store.knex.off('query', count);
    // none when these reads take less than a second (one more on a machine stalled past it)
    const runs = statements.filter((s) => s.includes('zapgate_sequence_events')).length;
    expect(runs).toBeLessThanOrEqual(1);
    expect(statements).toHaveLength(5 + runs);
    // a process that committed and died before numbering: a reader numbers it, within about a second
    const orphan = event();
    await store.knex.raw(
      `INSERT INTO "events" ("id", "type", "sessionId", "occurredAt", "data") VALUES (?, ?, NULL, now(), ?::jsonb)`,
      [orphan.id, orphan.type, JSON.stringify(orphan.data)],
    );
    const found = await waitFor(
      async () =>
        (await store.events.list({ afterSeq: seen[0]!.seq, limit: 10 })).find((e) => e.id === orphan.id),
      5000,
    );
    expect(found.seq).toBeGreaterThan(seen[0]!.seq);
  });

  it('a cursor reader polling during many concurrent appenders sees every event exactly once', async () => {
    const head = await store.events.head();
    let cursor = head;
    const seen: string[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing || (await store.events.head()) > cursor) {
        const page = await store.events.list({ afterSeq: cursor, limit: 50 });
        for (const e of page) {
          expect(e.seq).toBeGreaterThan(cursor);
          seen.push(e.id);
          cursor = e.seq;
        }
        await sleep(2);
      }
    })();
    const writers = Array.from({ length: 8 }, async (_, w) => {
      const committed: string[] = [];
      for (let i = 0; i < 15; i++) {
        const ids = await store.transaction(async (tx) => {
          const a = await tx.events.append(event());
          await sleep(Math.random() * 8 + (w % 3)); // commit at random times after appending
          const b = await tx.events.append(event());
          return [a.id, b.id];
        });
        committed.push(...ids);
      }
      return committed;
    });
    const committed = (await Promise.all(writers)).flat();
    writing = false;
    await reader;
    // every committed event once (a skip would leave one out), each transaction's in order
    expect([...seen].sort()).toEqual([...committed].sort());
    for (let i = 0; i < committed.length; i += 2) {
      expect(seen.indexOf(committed[i + 1] as string)).toBeGreaterThan(seen.indexOf(committed[i] as string));
    }
  });

  it('concurrent group updates never deadlock on the event log: appending takes no advisory lock', async () => {
    const session = randomUUID();
    const group = '120363000000000001@g.us';
    await store.chats.upsert(session, { chatJid: group });
    const head = await store.events.head();
    const held: number[] = [];
    let runs = 0;
    const advisoryLocks = async (tx: Parameters<Parameters<typeof store.transaction>[0]>[0]) => {
      const [row] = await tx.sql!.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`,
      );
      held.push(row?.n ?? -1);
    };
    // group updates that lock the group row and then append, next to writers that append
    // and then lock the row: with the event log's old advisory lock the two kinds waited on
    // each other (40P01); now no transaction is ever rolled back and run again
    const updates = Array.from({ length: 16 }, (_, n) =>
      store.transaction(async (tx) => {
        runs++;
        if (n % 2 === 0) await tx.chats.upsert(session, { chatJid: group, chatName: `u${n}` });
        const appended = await tx.events.append(event(session));
        await advisoryLocks(tx);
        await sleep(5);
        if (n % 2 === 1) await tx.chats.upsert(session, { chatJid: group, chatName: `u${n}` });
        return appended;
      }),
    );
    const appended = await Promise.all(updates);
    expect(runs).toBe(16);
    expect(held).toEqual(Array(16).fill(0));
    const listed = await store.events.list({ afterSeq: head, limit: 100, sessionId: session });
    expect(listed.map((e) => e.id).sort()).toEqual(appended.map((e) => e.id).sort());
  });

  it('runs a transaction again when Postgres picks it as a deadlock victim', async () => {
    const session = randomUUID();
    await store.chats.upsert(session, { chatJid: 'a@g.us' });
    await store.chats.upsert(session, { chatJid: 'b@g.us' });
    const head = await store.events.head();
    let locked = 0;
    let bothLocked: () => void = () => {};
    const gate = new Promise<void>((r) => {
      bothLocked = r;
    });
    let runs = 0;
    // two group updates touching the same chats in opposite orders, each appending an event
    const update = (first: string, second: string) =>
      store.transaction(async (tx) => {
        runs++;
        await tx.chats.upsert(session, { chatJid: first, chatName: first });
        if (++locked === 2) bothLocked();
        await Promise.race([gate, sleep(2_000)]);
        await tx.chats.upsert(session, { chatJid: second, chatName: first });
        return tx.events.append(event(session));
      });
    const results = await Promise.all([update('a@g.us', 'b@g.us'), update('b@g.us', 'a@g.us')]);
    expect(runs).toBe(3); // one of the two ran again after the deadlock
    const listed = await store.events.list({ afterSeq: head, limit: 10, sessionId: session });
    expect(listed.map((e) => e.id).sort()).toEqual(results.map((e) => e.id).sort());
  });
});
