import { createGateway, type Gateway, isGatewayError } from '@zapgate/core';
import { type FakeConnector, fakeConnector } from '@zapgate/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../src/index.js';
import { storeFactory, waitFor } from './helpers.js';

/** One gateway "node": its own store (pool) and connector on the shared database. */
interface Node {
  id: string;
  store: PostgresStore;
  connector: FakeConnector;
  gateway: Gateway;
}

describe('several gateway nodes on one Postgres', () => {
  const stores = storeFactory('postgres');
  let schemaN = 0;
  let schema = '';
  const nodes: Node[] = [];
  beforeAll(() => stores.setup());
  afterAll(() => stores.teardown());
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.gateway.stop().catch(() => {});
  });

  const node = async (id: string, cluster: { leaseMs?: number; heartbeatMs?: number } = {}) => {
    const store = stores.create({ schema, pool: { max: 4 } });
    const connector = fakeConnector({ autoOpen: true });
    const log = (level: string) => (obj: unknown, msg?: string) =>
      process.env.DBG &&
      console.log(
        id,
        level,
        typeof obj === 'string' ? obj : msg,
        typeof obj === 'string' ? '' : JSON.stringify(obj, (k, v) => (k === 'err' ? String(v) : v)),
      );
    const logger: any = {
      debug: () => {},
      trace: () => {},
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      fatal: log('fatal'),
      child: () => logger,
      level: 'info',
    };
    const gateway = createGateway({
      logger,
      store,
      connector,
      instanceId: id,
      nodeUrl: `http://${id}.test`,
      tuning: {
        cluster: { leaseMs: 1500, heartbeatMs: 100, ...cluster },
        boot: { staggerMs: 0 },
        reconnect: { minDelayMs: 10, maxDelayMs: 50 },
      },
    });
    await gateway.start();
    const n = { id, store, connector, gateway };
    nodes.push(n);
    return n;
  };
  const fresh = () => {
    schema = `cluster_${++schemaN}`;
  };
  const ownersOf = async (gateway: Gateway, ids: string[]) =>
    Promise.all(ids.map(async (id) => (await gateway.cluster.owner(id))?.nodeId ?? null));
  const liveSocketsOf = (all: Node[], sessionId: string) =>
    all.reduce((sum, n) => sum + n.connector.liveSockets(sessionId), 0);

  it('spreads sessions over the nodes: a joining node takes its fair share over, one socket per session', async () => {
    fresh();
    const a = await node('a');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const session = await a.gateway.sessions.create({ name: `s${i}` });
      await a.gateway.sessions.connect(session.id);
      ids.push(session.id);
    }
    await waitFor(async () => (await a.store.sessions.list({ status: ['connected'] })).length === 6);
    expect(await ownersOf(a.gateway, ids)).toEqual(Array(6).fill('a'));

    const b = await node('b');
    await waitFor(async () => {
      const owners = await ownersOf(a.gateway, ids);
      return owners.filter((o) => o === 'b').length === 3 && owners.filter((o) => o === 'a').length === 3;
    });
    await waitFor(async () => (await a.store.sessions.list({ status: ['connected'] })).length === 6);
    for (const id of ids) expect(liveSocketsOf([a, b], id)).toBe(1);
    // only the three that moved reconnected: the others kept their first socket
    const connects = ids.map((id) => a.connector.connectCount(id) + b.connector.connectCount(id));
    expect(connects.filter((c) => c === 1)).toHaveLength(3);
    expect(connects.filter((c) => c === 2)).toHaveLength(3);

    const listed = await b.gateway.cluster.nodes();
    expect(listed.map((n) => [n.id, n.url, n.live, n.sessions])).toEqual([
      ['a', 'http://a.test', true, 3],
      ['b', 'http://b.test', true, 3],
    ]);
  });

  it('moves a stopped node’s sessions to the others at once, and a dead node’s after its lease expires', async () => {
    fresh();
    const a = await node('a');
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const session = await a.gateway.sessions.create({ name: `m${i}` });
      await a.gateway.sessions.connect(session.id);
      ids.push(session.id);
    }
    const b = await node('b');
    const c = await node('c', { leaseMs: 1500 });
    // graceful: a frees its leases when it stops; b and c take them within a few heartbeats
    await a.gateway.stop();
    nodes.splice(nodes.indexOf(a), 1);
    await waitFor(async () => (await ownersOf(b.gateway, ids)).every((o) => o === 'b' || o === 'c'));
    await waitFor(async () => (await b.store.sessions.list({ status: ['connected'] })).length === 4);
    for (const id of ids) expect(a.connector.liveSockets(id)).toBe(0);

    // "dead": c cannot reach the database any more (it cannot renew); b takes c's sessions once they expire,
    // and c drops its sockets by itself once it has not renewed for a lease time
    const heldByC = (await ownersOf(b.gateway, ids)).filter((o) => o === 'c').length;
    expect(heldByC).toBeGreaterThan(0);
    // a partition: c's heartbeats never come back
    c.store.leases.heartbeat = () => new Promise(() => {});
    // (the 10 s bound of a real failover is measured end to end in e2e/multinode.test.ts)
    await waitFor(async () => (await ownersOf(b.gateway, ids)).every((o) => o === 'b'), 15_000);
    await waitFor(async () => (await b.store.sessions.list({ status: ['connected'] })).length === 4);
    await waitFor(() => ids.every((id) => c.connector.liveSockets(id) === 0));
    await waitFor(() => ids.every((id) => b.connector.liveSockets(id) === 1));
    await waitFor(async () => (await b.store.sessions.list({ status: ['connected'] })).length === 4);
  }, 30_000);

  it('fences a node that lost its lease: its stale socket cannot write creds or status, and it drops that socket', async () => {
    fresh();
    // a beats rarely: it stands for a node frozen (SIGSTOP) past its lease
    const a = await node('a', { leaseMs: 60_000, heartbeatMs: 60_000 });
    const session = await a.gateway.sessions.create({ name: 'fenced' });
    await a.gateway.sessions.connect(session.id);
    await a.connector.session(session.id).open({ pushName: 'first' });
    const b = await node('b');
    // a's lease runs out while it is "frozen"; b takes the session over with a new epoch
    await b.store.knex.raw(
      `UPDATE "${schema}"."sessionLeases" SET "leaseUntil" = clock_timestamp() - interval '1 second'`,
    );
    await waitFor(async () => (await b.gateway.cluster.owner(session.id))?.nodeId === 'b');
    await waitFor(() => b.connector.liveSockets(session.id) === 1);
    // b's socket opened by itself (autoOpen); then it writes its creds
    await waitFor(async () => (await b.store.sessions.get(session.id))?.status === 'connected');
    await b.connector.session(session.id).open({ pushName: 'owner' });
    expect(await b.store.auth.getCreds(session.id)).toMatchObject({ me: { name: 'owner' } });

    // a "wakes up": its old socket logs in again and writes creds — refused
    const stale = a.connector.session(session.id);
    const error = await stale.open({ pushName: 'stale' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGatewayError(error) && error.code).toBe('SESSION_LEASE_LOST');
    expect(await b.store.auth.getCreds(session.id)).toMatchObject({ me: { name: 'owner' } });
    await waitFor(() => a.connector.liveSockets(session.id) === 0);
    expect(b.connector.liveSockets(session.id)).toBe(1);
    expect((await b.store.sessions.get(session.id))?.status).toBe('connected');
    // and a, no longer owner, refuses to change the session (the host forwards such requests)
    const refused = await a.gateway.sessions.logout(session.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isGatewayError(refused) && refused.code).toBe('SESSION_OWNED_ELSEWHERE');
    expect(await b.store.auth.getCreds(session.id)).not.toBeNull();
  });
});
