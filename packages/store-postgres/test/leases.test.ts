import { isGatewayError } from '@zapgate/core';
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
