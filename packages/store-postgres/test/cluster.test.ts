import { createGateway, type Gateway, isGatewayError, type Logger } from '@zapgate/core';
import { deferred, type FakeConnector, fakeConnector } from '@zapgate/core/testing';
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

  const node = async (
    id: string,
    cluster: { leaseMs?: number; heartbeatMs?: number } = {},
    applicationName = 'zapgate',
  ) => {
    const store = stores.create({ schema, pool: { max: 4 }, applicationName });
    const connector = fakeConnector({ autoOpen: true });
    const log = (level: string) => (obj: unknown, msg?: string) =>
      process.env.DBG &&
      console.log(
        id,
        level,
        typeof obj === 'string' ? obj : msg,
        typeof obj === 'string' ? '' : JSON.stringify(obj, (k, v) => (k === 'err' ? String(v) : v)),
      );
    const logger: Logger & { fatal: Logger['error']; level: string } = {
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
  /** Creates and connects `count` sessions on `n` (named `prefix0`, `prefix1`, …); their ids. */
  const connectSessions = async (n: Node, count: number, prefix: string) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const session = await n.gateway.sessions.create({ name: `${prefix}${i}` });
      await n.gateway.sessions.connect(session.id);
      ids.push(session.id);
    }
    return ids;
  };
  /**
   * Holds every send of `n` between its admission (its place in the session's queue) and its
   * insert, at the first store call it makes there (the look-up of the recipient's chat, for a
   * number the node has not sent to yet), until `release`; `held` counts them; `restore` puts
   * the store's own look-up back.
   */
  const holdAdmittedSends = (n: Node) => {
    const gate = deferred();
    const get = n.store.chats.get.bind(n.store.chats);
    const hold = {
      held: 0,
      release: gate.resolve,
      restore: () => {
        gate.resolve();
        n.store.chats.get = get;
      },
    };
    n.store.chats.get = async (...args) => {
      hold.held++;
      await gate.promise;
      return get(...args);
    };
    return hold;
  };
  /** Waits until `count` sessions are stored as connected. */
  const allConnected = (n: Node, count: number) =>
    waitFor(async () => (await n.store.sessions.list({ status: ['connected'] })).length === count);

  it('spreads sessions over the nodes: a joining node takes its fair share over, one socket per session', async () => {
    fresh();
    const a = await node('a');
    const ids = await connectSessions(a, 6, 's');
    await allConnected(a, 6);
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
    const ids = await connectSessions(a, 4, 'm');
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

  it('a node that dropped its sessions when its renewals stalled frees their leases once it renews again, and they run again', async () => {
    fresh();
    const cluster = { leaseMs: 1000, heartbeatMs: 100 };
    const a = await node('a', cluster);
    const session = await a.gateway.sessions.create({ name: 'stalled' });
    await a.gateway.sessions.connect(session.id);
    await waitFor(() => a.connector.liveSockets(session.id) === 1);
    // another live node, so that a lapses when it cannot renew (alone, nobody could take over);
    // a bare row kept fresh rather than a gateway, so that no other node claims the session
    // holds a lock as long as the test needs (longer than a frozen node's transaction may)
    const other = stores.create({ schema, pool: { max: 2 }, idleTransactionTimeoutMs: 0 });
    const ghostBeat = () =>
      other.sql.query(
        `INSERT INTO "nodes" ("id", "url") VALUES ('ghost', NULL)
         ON CONFLICT ("id") DO UPDATE SET "heartbeatAt" = clock_timestamp(), "stoppedAt" = NULL`,
      );
    await ghostBeat();
    const ghost = setInterval(() => void ghostBeat().catch(() => {}), 100);
    const heartbeatOfA = async () =>
      (
        await other.sql.query<{ heartbeatAt: Date }>(`SELECT "heartbeatAt" FROM "nodes" WHERE "id" = 'a'`)
      )[0]?.heartbeatAt.getTime() ?? 0;
    try {
      // two renewals and placements of a after the ghost was live: a has seen another live node
      const seen = await heartbeatOfA();
      await waitFor(async () => (await heartbeatOfA()) > seen + 2 * cluster.heartbeatMs);
      const [lease] = await a.store.leases.owners([session.id], cluster.leaseMs);
      // a's renewals stall (its node row is locked) for more than a lease time: a drops the socket
      const { promise: unlocked, resolve: unlock } = deferred();
      const { promise: isLocked, resolve: locked } = deferred();
      const lock = other.transaction(async (tx) => {
        await tx.sql?.query(`SELECT 1 FROM "nodes" WHERE "id" = 'a' FOR UPDATE`);
        locked();
        await unlocked;
      });
      await isLocked;
      try {
        await waitFor(() => a.connector.liveSockets(session.id) === 0, 10_000, 'a dropping the socket');
      } finally {
        unlock();
        await lock;
      }
      // its renewals resume and keep the lease under a's id: it is freed, claimed again, and the
      // session runs again (on a, the only gateway) under a new epoch
      await waitFor(() => a.connector.liveSockets(session.id) === 1, 10_000, 'the session running again');
      const [now] = await a.store.leases.owners([session.id], cluster.leaseMs);
      expect(now).toMatchObject({ nodeId: 'a', live: true });
      expect(now!.epoch).toBeGreaterThan(lease!.epoch);
      await waitFor(async () => (await a.gateway.sessions.get(session.id))?.status === 'connected');
    } finally {
      clearInterval(ghost);
      await other.close();
    }
  }, 30_000);

  it('renews its leases on a connection of its own: a node whose pool is exhausted keeps its sessions', async () => {
    fresh();
    const cluster = { leaseMs: 1000, heartbeatMs: 100 };
    const a = await node('a', cluster, 'zapgate starved-a');
    const ids = await connectSessions(a, 2, 'p');
    await allConnected(a, 2);
    // b (fair share 1) takes one over; a keeps the other
    const b = await node('b', cluster);
    await waitFor(async () => (await ownersOf(b.gateway, ids)).filter((o) => o === 'a').length === 1);
    const kept = ids[(await ownersOf(b.gateway, ids)).indexOf('a')] as string;
    await waitFor(() => a.connector.liveSockets(kept) === 1);

    // every connection of a's pool held by a transaction that does not end (pairing uploading
    // pre-keys, a burst of inbound writes)
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = 0;
    const held = Array.from({ length: 4 }, () =>
      a.store.transaction(async (tx) => {
        await tx.sql?.query('SELECT 1');
        holding++;
        await released;
      }),
    );
    await waitFor(() => holding === 4);
    const waiting = a.store.sessions.list();
    let listed = false;
    void waiting.then(() => (listed = true));
    try {
      // three lease times of a's heartbeat, timed by the database clock, while its pool is full
      const clock = async () =>
        (
          await b.store.sql.query<{ heartbeatAt: Date }>(`SELECT "heartbeatAt" FROM "nodes" WHERE "id" = 'a'`)
        )[0]?.heartbeatAt.getTime() ?? 0;
      const from = await clock();
      await waitFor(async () => (await clock()) > from + 3 * cluster.leaseMs, 10_000);
      // a query on the pool is still waiting: the renewals went over the heartbeat's own connection
      expect(listed).toBe(false);
      const renewals = await b.store.sql.query<{ application_name: string }>(
        `SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'zapgate starved-a'`,
      );
      // four pool connections and the renewal one
      expect(renewals).toHaveLength(5);
      // a kept its session all along: not lapsed, not taken over, its socket never dropped
      expect(a.gateway.cluster.state()).toBe('ready');
      expect((await b.gateway.cluster.owner(kept))?.nodeId).toBe('a');
      expect(a.connector.liveSockets(kept)).toBe(1);
      expect(a.connector.connectCount(kept)).toBe(1);
    } finally {
      release();
      await Promise.all(held);
      await waiting;
    }
  }, 30_000);

  it('a session handed over answers SESSION_MOVING (retry), never SESSION_NOT_CONNECTED, until its new node runs it', async () => {
    fresh();
    const a = await node('a');
    await connectSessions(a, 2, 'h');
    await allConnected(a, 2);
    // a's handover stops between the socket's close and the lease's release
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let handing: string | null = null;
    const free = a.store.leases.release.bind(a.store.leases);
    a.store.leases.release = async (nodeId, sessionId, epoch) => {
      handing = sessionId;
      await released;
      return free(nodeId, sessionId, epoch);
    };
    try {
      await node('b');
      await waitFor(() => handing !== null);
      const moving = handing as unknown as string;
      expect((await a.store.sessions.get(moving))?.status).toBe('connecting');
      const refused = await a.gateway.messages
        .send(moving, { type: 'text', to: '15550002222', text: 'hi' })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isGatewayError(refused) && refused.code).toBe('SESSION_MOVING');
      release();
      await waitFor(async () => (await a.gateway.cluster.owner(moving))?.nodeId === 'b');
    } finally {
      release();
      a.store.leases.release = free;
    }
  });

  it('a send admitted before a handover goes out on the old socket before it closes, never failed', async () => {
    fresh();
    const a = await node('a');
    const ids = await connectSessions(a, 2, 'd');
    await allConnected(a, 2);
    // one send per session, each held between its admission and its insert
    const inserts = holdAdmittedSends(a);
    const text = { type: 'text', to: '15550002222', text: 'admitted before the handover' } as const;
    const sends = ids.map((id) => a.gateway.messages.send(id, text));
    try {
      await waitFor(() => inserts.held === 2);
      // b joins: a hands one session over, and turns new requests for it away from now on
      const b = await node('b');
      const moving = async () => {
        for (const id of ids) {
          const refused = await a.gateway.contacts.check(id, ['15550002222']).then(
            () => null,
            (e: unknown) => e,
          );
          if (isGatewayError(refused) && refused.code === 'SESSION_MOVING') return id;
        }
        return null;
      };
      await waitFor(async () => (await moving()) !== null);
      const handed = (await moving()) as string;
      // the handover waits for the admitted send: the lease is still a's
      expect((await a.gateway.cluster.owner(handed))?.nodeId).toBe('a');
      inserts.release();
      const stored = await Promise.all(sends);
      await waitFor(async () => (await b.gateway.cluster.owner(handed))?.nodeId === 'b');
      for (const message of stored) {
        await waitFor(
          async () => (await a.store.messages.get(message.sessionId, message.id))?.status !== 'pending',
        );
        expect((await a.store.messages.get(message.sessionId, message.id))?.status).toBe('sent');
      }
      const sentOnA = a.connector.session(handed).sends.filter((s) => s.content.type === 'text');
      expect(sentOnA.map((s) => [s.error, s.result?.waid])).toEqual([
        [null, stored[ids.indexOf(handed)]?.waid],
      ]);
    } finally {
      inserts.restore();
      await Promise.allSettled(sends);
    }
  });

  it('answers the owner of a session it holds without a query, and of any other from the database', async () => {
    fresh();
    const a = await node('a');
    const [mine] = await connectSessions(a, 1, 'o');
    await allConnected(a, 1);
    const b = await node('b');
    const theirs = (await b.gateway.sessions.create({ name: 'theirs' })).id;
    await b.gateway.sessions.connect(theirs);
    await waitFor(async () => (await a.gateway.cluster.owner(theirs))?.nodeId === 'b');
    await waitFor(async () => (await a.gateway.cluster.owner(mine!))?.nodeId === 'a');
    const asked: string[] = [];
    const owner = a.store.leases.owner.bind(a.store.leases);
    a.store.leases.owner = async (sessionId, leaseMs) => {
      asked.push(sessionId);
      return owner(sessionId, leaseMs);
    };
    try {
      const held = await a.store.leases.owners([mine!], 1500);
      expect(await a.gateway.cluster.owner(mine!)).toEqual({
        sessionId: mine,
        nodeId: 'a',
        epoch: held[0]?.epoch,
        url: 'http://a.test',
        live: true,
      });
      expect(asked).toEqual([]);
      expect((await a.gateway.cluster.owner(theirs))?.nodeId).toBe('b');
      expect(asked).toEqual([theirs]);
    } finally {
      a.store.leases.owner = owner;
    }
  });

  it('a send that never finishes holds a handover up for one lease time at most', async () => {
    fresh();
    const a = await node('a');
    const ids = await connectSessions(a, 2, 'n');
    await allConnected(a, 2);
    // both sends stay between their admission and their insert for good
    const inserts = holdAdmittedSends(a);
    const sends = ids.map((id) =>
      a.gateway.messages.send(id, { type: 'text', to: '15550002222', text: 'stuck' }).catch(() => null),
    );
    try {
      await waitFor(() => inserts.held === 2);
      const b = await node('b');
      // b's fair share is one: a hands it over after 1.5 s (its lease time) instead of never
      await waitFor(async () => (await ownersOf(b.gateway, ids)).includes('b'), 15_000, 'a handover');
    } finally {
      inserts.restore();
      await Promise.all(sends);
    }
  });
});
