import { createGateway, type Gateway } from '@zapgate/core';
import { type FakeConnector, fakeConnector, waitFor } from '@zapgate/core/testing';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, promMetrics, type ZapgateServer } from '../src/index.js';
import { adminKey } from './fixtures.js';

/** A promise and its resolver: holds a store call until the test lets it go. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Nodes on one Postgres, each a gateway the test starts and stops itself, behind a server. */
describe('a node tells a load balancer when it is ready, and /metrics tells its own', () => {
  let databaseUrl = '';
  let drop: () => Promise<void>;
  const open: { app: ZapgateServer; gateway: Gateway; store: PostgresStore; fake: FakeConnector }[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase({ prefix: 'zapgate_server_ready' });
    databaseUrl = database.url;
    drop = database.drop;
  });
  afterAll(async () => {
    for (const node of open) {
      await node.gateway.stop().catch(() => {});
      await node.app.close();
      await node.store.close();
    }
    await drop?.();
  });

  /** Each test its own schema: sessions one test leaves must not be claimed in the next. */
  const node = async (id: string, schema: string, cluster: { leaseMs: number; heartbeatMs: number }) => {
    const store = postgresStore({ databaseUrl, schema, pool: { max: 3 } });
    const fake = fakeConnector({ autoOpen: true });
    const metrics = promMetrics({ defaultMetrics: false });
    const gateway = createGateway({
      store,
      metrics,
      connector: fake,
      instanceId: id,
      tuning: { cluster, boot: { staggerMs: 0 } },
    });
    // the host starts and stops the gateway itself (as an embedding app does): the probe answers throughout
    const app = buildServer({ adminKey, gateway, metrics, logger: false });
    await app.ready();
    const entry = { app, gateway, store, fake };
    open.push(entry);
    return entry;
  };
  const ready = async (app: ZapgateServer) => {
    const res = await app.inject('/health/ready');
    return { status: res.statusCode, node: (res.json() as { checks: { node: string } }).checks.node };
  };
  const metric = async (app: ZapgateServer, name: string) => {
    const text = (await app.inject('/metrics')).body;
    return text.split('\n').filter((line) => line.startsWith(name));
  };

  it('is not ready before it joined and made its first claim, nor while it drains on stop', async () => {
    const a = await node('ready-a', 'ready_1', { leaseMs: 5000, heartbeatMs: 100 });
    // a session stored as connected, waiting for a node to claim it
    await a.store.init();
    const session = await a.gateway.sessions.create({ name: 'waiting' });
    await a.store.sessions.update(session.id, { status: 'connected' });

    expect(await ready(a.app)).toEqual({ status: 503, node: 'starting' });
    const joining = gate();
    let asked = false;
    const join = a.store.leases.join.bind(a.store.leases);
    a.store.leases.join = async (n) => {
      asked = true;
      await joining.opened;
      return join(n);
    };
    const started = a.gateway.start();
    // everything else has started (store, consumers, jobs); the join is held
    await waitFor(() => asked);
    expect(await ready(a.app)).toEqual({ status: 503, node: 'starting' });
    expect(await a.store.sql.query('SELECT 1 FROM "nodes"')).toHaveLength(0);
    joining.open();
    await started;
    // ready means: its heartbeat row is written and its first claim is made
    expect(await ready(a.app)).toEqual({ status: 200, node: 'ready' });
    const [row] = await a.store.sql.query<{ id: string }>('SELECT "id" FROM "nodes"');
    expect(row?.id).toBe('ready-a');
    expect((await a.gateway.cluster.owner(session.id))?.nodeId).toBe('ready-a');
    expect(await metric(a.app, 'zapgate_node_sessions')).toEqual(['zapgate_node_sessions{node="ready-a"} 1']);

    // stop: from its first moment until the leases are freed, the probe says draining
    const leaving = gate();
    const leave = a.store.leases.leave.bind(a.store.leases);
    a.store.leases.leave = async (id) => {
      await leaving.opened;
      return leave(id);
    };
    const stopped = a.gateway.stop();
    expect(await ready(a.app)).toEqual({ status: 503, node: 'draining' });
    // its sockets are closed by now, yet the lease is still held: still draining
    await waitFor(() => a.fake.liveSockets(session.id) === 0);
    expect(await ready(a.app)).toEqual({ status: 503, node: 'draining' });
    leaving.open();
    await stopped;
    expect(await ready(a.app)).toEqual({ status: 503, node: 'stopped' });
    expect(await a.gateway.cluster.owner(session.id)).toBeNull();
  });

  it('answers 503 lapsed while its leases go unrenewed with other nodes live; each /metrics tells its own node', async () => {
    const b = await node('lapse-b', 'ready_2', { leaseMs: 600, heartbeatMs: 50 });
    const c = await node('lapse-c', 'ready_2', { leaseMs: 600, heartbeatMs: 50 });
    await b.gateway.start();
    await c.gateway.start();
    const session = await b.gateway.sessions.create({ name: 'owned-by-b' });
    await b.gateway.sessions.connect(session.id);
    await waitFor(async () => (await b.gateway.sessions.get(session.id)).status === 'connected');
    expect(await metric(b.app, 'zapgate_node_sessions')).toEqual(['zapgate_node_sessions{node="lapse-b"} 1']);
    expect(await metric(c.app, 'zapgate_node_sessions')).toEqual(['zapgate_node_sessions{node="lapse-c"} 0']);
    const [age] = await metric(b.app, 'zapgate_node_lease_renewal_age_seconds');
    expect(Number(age?.split(' ')[1])).toBeLessThan(0.6);

    // b's heartbeats stop coming back (a starved pool, a partition): after a lease time it is
    // not ready, c takes the session over and b drops it
    const heartbeat = b.store.leases.heartbeat.bind(b.store.leases);
    const partition = gate();
    b.store.leases.heartbeat = async (...args) => {
      await partition.opened;
      return heartbeat(...args);
    };
    await waitFor(async () => (await ready(b.app)).node === 'lapsed', 5000);
    expect((await ready(b.app)).status).toBe(503);
    expect(await ready(c.app)).toEqual({ status: 200, node: 'ready' });
    await waitFor(async () => (await c.gateway.cluster.owner(session.id))?.nodeId === 'lapse-c', 5000);
    await waitFor(() => b.fake.liveSockets(session.id) === 0);
    expect(await metric(b.app, 'zapgate_node_leases_lost_total')).toEqual([
      'zapgate_node_leases_lost_total{node="lapse-b"} 1',
    ]);
    await waitFor(async () => (await metric(c.app, 'zapgate_node_sessions'))[0]?.endsWith(' 1'));

    // the partition heals: b renews again and is ready (with nothing to run)
    partition.open();
    b.store.leases.heartbeat = heartbeat;
    await waitFor(async () => (await ready(b.app)).status === 200, 5000);
    expect(await metric(b.app, 'zapgate_node_sessions')).toEqual(['zapgate_node_sessions{node="lapse-b"} 0']);
  });
});
