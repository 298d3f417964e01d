import { createGateway, type Gateway } from '@zapgate/core';
import { type FakeConnector, fakeConnector } from '@zapgate/core/testing';
import type { PostgresStore } from '@zapgate/store-postgres';
import { type Figure, percentile, printFigures, until } from './report.js';
import { openStore, scratch } from './stack.js';

interface Sizes {
  /** Sessions spread over the three nodes. */
  sessions: number;
  leaseMs: number;
  heartbeatMs: number;
  /** How long a fake socket takes to open. */
  openDelayMs: number;
  runs: number;
}

interface Node {
  id: string;
  store: PostgresStore;
  connector: FakeConnector;
  gateway: Gateway;
}

/**
 * Failover: three gateway nodes on one Postgres share `sessions`; one dies (its heartbeats
 * stop and its sockets go, as with SIGKILL, its leases left to expire). Measured: from the
 * death to every one of its sessions open again on the other two, and that minus the lease
 * time (what the issue bounds at 10 s). Reference: the lease time itself, the floor of any
 * failover that waits for expiry. In one process with a fake connector (sockets open after
 * `openDelayMs`): this times the leases, placement and reconnect pacing, not Baileys.
 */
export async function failoverBench(sizes: Sizes): Promise<void> {
  const totals: number[] = [];
  const afterExpiry: number[] = [];
  let moved = 0;
  for (let run = 0; run < sizes.runs; run++) {
    const db = await scratch('postgres');
    const nodes: Node[] = [];
    const node = async (id: string) => {
      const store = openStore(db, 4);
      const connector = fakeConnector({ autoOpen: true, openDelayMs: sizes.openDelayMs });
      const gateway = createGateway({
        store,
        connector,
        instanceId: id,
        tuning: {
          // the spread before the failure is not measured: 20 handovers a beat instead of 1
          cluster: { leaseMs: sizes.leaseMs, heartbeatMs: sizes.heartbeatMs, handoverPerBeat: 20 },
          boot: { staggerMs: 20, concurrency: 8 },
        },
      });
      await gateway.start();
      const n = { id, store, connector, gateway };
      nodes.push(n);
      return n;
    };
    try {
      const a = await node('a');
      const ids: string[] = [];
      for (let i = 0; i < sizes.sessions; i++) {
        const session = await a.gateway.sessions.create({ name: `f${i}` });
        ids.push(session.id);
      }
      await node('b');
      const c = await node('c');
      // spread: each node connects its fair share (a connects, b and c take theirs over)
      await Promise.all(ids.map((id) => a.gateway.sessions.connect(id).catch(() => null)));
      const ownerOf = async (id: string) => (await a.gateway.cluster.owner(id))?.nodeId;
      const spread = await until(async () => {
        const owners = await Promise.all(ids.map(ownerOf));
        return ['a', 'b', 'c'].every(
          (n) => owners.filter((o) => o === n).length >= Math.floor(ids.length / 3),
        );
      }, 300_000);
      if (!spread) throw new Error('failover bench: sessions did not spread over three nodes');
      await until(
        async () => (await a.store.sessions.list({ status: ['connected'] })).length === ids.length,
        300_000,
      );
      const ofC = (await Promise.all(ids.map(async (id) => [id, await ownerOf(id)] as const)))
        .filter(([, o]) => o === 'c')
        .map(([id]) => id);
      moved = ofC.length;
      // c dies: no more heartbeats, its sockets gone, its leases left to expire
      c.store.leases.heartbeat = () => new Promise(() => {});
      for (const id of ofC) c.connector.session(id).connection?.kill();
      const t0 = performance.now();
      const b = nodes[1] as Node;
      const recovered = await until(
        async () =>
          ofC.every((id) => a.connector.liveSockets(id) + b.connector.liveSockets(id) === 1) &&
          (await a.store.sessions.list({ status: ['connected'] })).length === ids.length,
        120_000,
      );
      if (!recovered) throw new Error('failover bench: the dead node’s sessions did not reconnect in 120 s');
      const total = performance.now() - t0;
      totals.push(total);
      afterExpiry.push(Math.max(0, total - sizes.leaseMs));
    } finally {
      for (const n of nodes.reverse()) await n.gateway.stop().catch(() => {});
      for (const n of nodes) await n.store.close().catch(() => {});
      await db.drop();
    }
  }
  const figures: Figure[] = [
    {
      name: `failover of ${moved} sessions (death → all open elsewhere), median`,
      value: percentile(totals, 50),
      unit: 'ms',
      reference: { name: 'lease time', value: sizes.leaseMs },
      better: 'lower',
    },
    {
      name: 'after lease expiry, median (issue bound: 10,000 ms)',
      value: percentile(afterExpiry, 50),
      unit: 'ms',
      better: 'lower',
    },
  ];
  printFigures('Failover between nodes (3 nodes, Postgres)', figures, [
    `${sizes.sessions} sessions over 3 nodes, lease ${sizes.leaseMs} ms, heartbeat ${sizes.heartbeatMs} ms, fake sockets open in ${sizes.openDelayMs} ms, ${sizes.runs} runs`,
    'e2e/multinode.test.ts measures the same on real Baileys and wa-sim with child processes and SIGKILL',
  ]);
}
