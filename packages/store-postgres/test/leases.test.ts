import { isGatewayError } from '@zapgate/core';
import { deferred } from '@zapgate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { backends, storeFactory, waitFor } from './helpers.js';

const defaults = { name: 'x', settings: {} as never };

describe.each(backends)('session leases (%s)', (backend) => {
  const stores = storeFactory(backend);
  let store: PostgresStore;
  let schemaN = 0;
  beforeAll(() => stores.setup());
  afterAll(() => stores.teardown());

  const fresh = async () => {
    store = stores.create({ schema: `leases_${++schemaN}` });
    await store.init();
    return store;
  };
  const session = async (name: string, status: 'connected' | 'disconnected' = 'connected') => {
    const created = await store.sessions.create({ ...defaults, name });
    await store.sessions.update(created.id, { status });
    return created.id;
  };
  const lost = async (run: () => Promise<unknown>) => {
    const error = await run().then(
      () => null,
      (e: unknown) => e,
    );
    return isGatewayError(error) && error.code === 'SESSION_LEASE_LOST';
  };

  it('gives a lease to one node at a time and bumps the epoch on every claim, never reusing one', async () => {
    await fresh();
    const id = await session('one');
    expect(await store.leases.claim('a', [id], 60_000)).toEqual([{ sessionId: id, epoch: 1 }]);
    expect(await store.leases.claim('b', [id], 60_000)).toEqual([]);
    await store.leases.check([{ sessionId: id, epoch: 1 }]);
    // a freed lease keeps its epoch: the next claim is 2, and 1 stays refused
    await store.leases.release('a', id, 1);
    expect(await lost(() => store.leases.check([{ sessionId: id, epoch: 1 }]))).toBe(true);
    expect(await store.leases.claim('b', [id], 60_000)).toEqual([{ sessionId: id, epoch: 2 }]);
    expect(await lost(() => store.leases.check([{ sessionId: id, epoch: 1 }]))).toBe(true);
    // releasing with a stale epoch frees nothing
    await store.leases.release('a', id, 1);
    expect(await store.leases.owner(id, 60_000)).toMatchObject({ nodeId: 'b', epoch: 2 });
    expect(await store.leases.heartbeat({ id: 'a', url: null }, 60_000)).toEqual([]);
    expect(await store.leases.heartbeat({ id: 'b', url: null }, 60_000)).toEqual([
      { sessionId: id, epoch: 2 },
    ]);
  });

  it('lets another node take an expired lease; the old holder then renews nothing and its writes are refused', async () => {
    await fresh();
    const id = await session('expiring');
    await store.leases.claim('a', [id], 200);
    await waitFor(async () => (await store.leases.claim('b', [id], 60_000)).length === 1, 5000);
    expect(await store.leases.owner(id, 60_000)).toMatchObject({ nodeId: 'b', epoch: 2 });
    expect(await store.leases.heartbeat({ id: 'a', url: null }, 60_000)).toEqual([]);
    const refused = await lost(() =>
      store.transaction(async (tx) => {
        await tx.leases?.check([{ sessionId: id, epoch: 1 }]);
        await tx.auth.setCreds(id, { stale: true });
      }),
    );
    expect(refused).toBe(true);
    expect(await store.auth.getCreds(id)).toBeNull();
  });

  it('applies fenced creds and key writes in one statement while the lease is held, and none after a takeover', async () => {
    await fresh();
    const id = await session('fenced-keys');
    const [lease] = await store.leases.claim('a', [id], 200);
    const statements: string[] = [];
    const count = (q: { sql?: string }) => statements.push(q.sql ?? '');
    store.knex.on('query', count);
    await store.auth.setKeys(id, { session: { s1: { n: 1 }, s2: { n: 2 } }, 'pre-key': { p1: null } }, lease);
    await store.auth.setCreds(id, { owner: 'a' }, lease);
    store.knex.off('query', count);
    // no BEGIN / lease check / COMMIT around them: the check is inside the write
    expect(statements).toHaveLength(2);
    expect(await store.auth.getKeys(id, 'session', ['s1', 's2'])).toEqual({ s1: { n: 1 }, s2: { n: 2 } });
    await waitFor(async () => (await store.leases.claim('b', [id], 60_000)).length === 1, 5000);
    expect(await lost(() => store.auth.setKeys(id, { session: { s1: { n: 9 }, s3: { n: 3 } } }, lease))).toBe(
      true,
    );
    expect(await lost(() => store.auth.setKeys(id, { session: { s2: null } }, lease))).toBe(true);
    expect(await lost(() => store.auth.setCreds(id, { owner: 'stale' }, lease))).toBe(true);
    // a write too big for one statement checks in its transaction
    const many = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, { i }]));
    expect(await lost(() => store.auth.setKeys(id, { session: many }, lease))).toBe(true);
    expect(await store.auth.getKeys(id, 'session', ['s1', 's2', 's3', 'k0'])).toEqual({
      s1: { n: 1 },
      s2: { n: 2 },
    });
    expect(await store.auth.getCreds(id)).toEqual({ owner: 'a' });
    // the new owner's epoch writes
    await store.auth.setKeys(id, { session: many }, { sessionId: id, epoch: 2 });
    expect(Object.keys(await store.auth.getKeys(id, 'session', ['k0', 'k599']))).toEqual(['k0', 'k599']);
  });

  it('lists orphans (running sessions without a live lease) and counts what placement needs', async () => {
    await fresh();
    const held = await session('held');
    const free = await session('free');
    await session('off', 'disconnected');
    await store.leases.join({ id: 'a', url: 'http://a:1' });
    await store.leases.join({ id: 'b', url: null });
    await store.leases.claim('a', [held], 60_000);
    expect(await store.leases.orphans(['connected', 'connecting'], 10)).toEqual([free]);
    expect(await store.leases.census('a', ['connected'], 60_000)).toEqual({
      liveNodes: 2,
      wanted: 2,
      mine: 1,
    });
    await store.leases.leave('b');
    const nodes = await store.leases.nodes(60_000, 600_000);
    expect(nodes.map((n) => [n.id, n.url, n.live, n.sessions, n.stoppedAt === null])).toEqual([
      ['a', 'http://a:1', true, 1, true],
      ['b', null, false, 0, false],
    ]);
    expect(await store.leases.owner(held, 60_000)).toEqual({
      sessionId: held,
      nodeId: 'a',
      epoch: 1,
      url: 'http://a:1',
      live: true,
    });
    // deleting the session deletes its lease
    await store.sessions.delete(held);
    expect(await store.leases.owner(held, 60_000)).toBeNull();
  });
});

// Two connections at once: PGlite has one, so only Postgres can have a write in flight.
describe('session leases under concurrent writes (postgres)', () => {
  const stores = storeFactory('postgres');
  beforeAll(() => stores.setup());
  afterAll(() => stores.teardown());
  const lost = (run: () => Promise<unknown>) =>
    run().then(
      () => false,
      (error: unknown) => isGatewayError(error) && error.code === 'SESSION_LEASE_LOST',
    );

  it('a renewal does not wait for a fenced write in flight; a takeover waits for it to commit', async () => {
    // the write stays open as long as the test needs, longer than a frozen node's may
    const store = stores.create({ schema: 'leases_in_flight', idleTransactionTimeoutMs: 0 });
    await store.init();
    const { id } = await store.sessions.create({ ...defaults, name: 'in-flight' });
    await store.sessions.update(id, { status: 'connected' });
    const [lease] = await store.leases.claim('a', [id], 300);
    const { promise: finished, resolve: finish } = deferred();
    const { promise: open, resolve: opened } = deferred();
    // a fenced transaction of node a, open (its lease row locked) until `finish`
    const write = store.transaction(async (tx) => {
      await tx.leases?.check([lease!]);
      await tx.auth.setCreds(id, { owner: 'a' });
      opened();
      await finished;
    });
    await open;
    const within = <T>(promise: Promise<T>, ms: number) =>
      Promise.race([promise, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);
    // the renewal answers at once (it waited for the open write before: the write convoy)
    expect(await within(store.leases.heartbeat({ id: 'a', url: null }, 300), 10_000)).toEqual([
      { sessionId: id, epoch: 1 },
    ]);
    // once the lease expired, node b's takeover waits for the write in flight
    await waitFor(async () => (await store.leases.owner(id, 60_000))?.live === false, 5000);
    let taken = false;
    const takeover = store.leases.claim('b', [id], 60_000).then((claimed) => {
      taken = true;
      return claimed;
    });
    await waitFor(async () => {
      const rows = await store.knex.raw(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
           AND query LIKE '%INSERT INTO "sessionLeases"%'`,
      );
      return rows.rows.length > 0;
    }, 10_000);
    expect(taken).toBe(false);
    finish();
    await write;
    expect(await takeover).toEqual([{ sessionId: id, epoch: 2 }]);
    // the write committed under epoch 1, before the takeover; epoch 1 is refused from now on
    expect(await store.auth.getCreds(id)).toEqual({ owner: 'a' });
    expect(await lost(() => store.auth.setCreds(id, { owner: 'stale' }, lease))).toBe(true);
  });
  it('a node frozen inside a fenced transaction holds up a takeover no longer than idleTransactionTimeoutMs', async () => {
    const frozen = stores.create({ schema: 'leases_frozen', idleTransactionTimeoutMs: 500 });
    await frozen.init();
    const other = stores.create({ schema: 'leases_frozen', idleTransactionTimeoutMs: 0 });
    const { id } = await frozen.sessions.create({ ...defaults, name: 'frozen' });
    const [lease] = await frozen.leases.claim('a', [id], 300);
    const { promise: resumed, resolve: resume } = deferred();
    const { promise: open, resolve: opened } = deferred();
    // node a stops between two statements of a fenced transaction (its lease row locked)
    const write = frozen
      .transaction(async (tx) => {
        await tx.leases?.check([lease!]);
        await tx.auth.setCreds(id, { owner: 'a' });
        opened();
        await resumed;
        await tx.auth.setCreds(id, { owner: 'a, after the freeze' });
      })
      .then(
        () => 'committed',
        () => 'rolled back',
      );
    await open;
    try {
      // its lease expires; node b's takeover goes through while a is still frozen
      await waitFor(async () => (await other.leases.owner(id, 60_000))?.live === false, 5000);
      const takeover = other.leases.claim('b', [id], 60_000);
      const within = await Promise.race([
        takeover,
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 20_000)),
      ]);
      expect(within).toEqual([{ sessionId: id, epoch: 2 }]);
    } finally {
      resume();
    }
    // a wakes up to a transaction Postgres ended: none of its writes happened
    expect(await write).toBe('rolled back');
    expect(await other.auth.getCreds(id)).toBeNull();
    expect(await lost(() => frozen.auth.setCreds(id, { owner: 'stale' }, lease))).toBe(true);
  });
});
