import { startSimulator } from '@zapgate/wa-sim';
import { type Memory, mb, memoryChild, pause } from './memory-driver.js';
import { type Figure, printFigures, until } from './report.js';
import { adminKey, scratch } from './stack.js';

interface Sizes {
  /** Sessions spread over the three nodes (each node pairs a third). */
  sessions: number;
  /** Pairings in flight at once per node. */
  concurrency: number;
  /** Idle time after the last pairing before the measurement (initial sync settles). */
  settleMs: number;
  leaseMs: number;
  heartbeatMs: number;
}

/**
 * Scale-out memory: `sessions` idle sessions paired on wa-sim through three gateway nodes
 * (server processes on one Postgres, each pairing a third; leases and placement as in
 * production), then, once idle, each node's RSS and JS heap after GC over its own start with
 * Baileys loaded, divided by the sessions it runs. Reference: the same number of raw Baileys
 * sockets (in-memory auth) as the busiest node runs, in a process of their own on the same
 * simulator (bench 4's reference).
 */
export async function nodesMemoryBench(sizes: Sizes): Promise<void> {
  const sim = await startSimulator();
  const db = await scratch('postgres');
  const perNode = Math.ceil(sizes.sessions / 3);
  const nodes = [0, 1, 2].map((i) =>
    memoryChild(sim, {
      kind: 'zapgate',
      url: sim.url,
      rootKey: sim.rootPublicKeyBase64,
      certificate: sim.mediaCertificate,
      count: perNode,
      concurrency: sizes.concurrency,
      databaseUrl: db.url,
      dataDir: '/tmp',
      adminKey,
      phonePrefix: `17${i}`,
      node: { id: `bench-node-${i}`, leaseMs: sizes.leaseMs, heartbeatMs: sizes.heartbeatMs },
    }),
  );
  let raw: ReturnType<typeof memoryChild> | null = null;
  try {
    await Promise.all(nodes.map((n) => n.ask(null, (m) => m.ready as boolean | undefined)));
    const measure = (n: ReturnType<typeof memoryChild>) =>
      n.ask('measure', (m) => m.memory as Memory | undefined);
    const base = await Promise.all(nodes.map(measure));
    const t0 = performance.now();
    await Promise.all(nodes.map((n) => n.ask({ pair: perNode }, (m) => m.seconds as number | undefined)));
    const pairSeconds = (performance.now() - t0) / 1000;
    // placement settles (a node over its share hands sessions over), then the sessions idle
    const settled = await until(
      async () => {
        const now = await Promise.all(nodes.map(measure));
        return now.reduce((sum, m) => sum + (m.owned ?? 0), 0) === perNode * 3;
      },
      120_000,
      1000,
    );
    if (!settled) throw new Error('nodes memory bench: the sessions did not settle on the nodes');
    await pause(sizes.settleMs);
    const after = await Promise.all(nodes.map(measure));

    const busiest = Math.max(...after.map((m) => m.owned ?? 0));
    raw = memoryChild(sim, {
      kind: 'raw',
      url: sim.url,
      rootKey: sim.rootPublicKeyBase64,
      certificate: sim.mediaCertificate,
      count: busiest,
      concurrency: sizes.concurrency,
      dataDir: '/tmp',
      adminKey,
      phonePrefix: '179',
    });
    await raw.ask(null, (m) => m.ready as boolean | undefined);
    const rawBase = await measure(raw);
    await raw.ask({ pair: busiest }, (m) => m.seconds as number | undefined);
    await pause(sizes.settleMs);
    const rawAfter = await measure(raw);
    const rawPer = mb(rawAfter.rss - rawBase.rss) / busiest;
    const rawHeap = mb(rawAfter.heapUsed - rawBase.heapUsed) / busiest;

    const figures: Figure[] = after.flatMap((m, i) => {
      const owned = m.owned ?? 0;
      const b = base[i] as Memory;
      return [
        {
          name: `node ${i}: RSS per idle session (${owned} sessions)`,
          value: owned > 0 ? mb(m.rss - b.rss) / owned : Number.NaN,
          unit: 'MB',
          reference: { name: `raw Baileys socket (${busiest})`, value: rawPer },
          better: 'lower' as const,
        },
        {
          name: `node ${i}: JS heap per idle session`,
          value: owned > 0 ? mb(m.heapUsed - b.heapUsed) / owned : Number.NaN,
          unit: 'MB',
          reference: { name: 'raw Baileys socket', value: rawHeap },
          better: 'lower' as const,
        },
      ];
    });
    const total = after.reduce((sum, m, i) => sum + m.rss - (base[i] as Memory).rss, 0);
    printFigures(`Memory per idle session on three nodes (${perNode * 3} sessions on wa-sim)`, figures, [
      `three server processes on one Postgres, ${perNode} paired through each in ${pairSeconds.toFixed(0)} s; measured after GC, ${sizes.settleMs / 1000} s after placement settled (sessions per node: ${after.map((m) => m.owned).join(', ')})`,
      `all nodes together: ${mb(total).toFixed(0)} MB RSS over their starts, ${(mb(total) / (perNode * 3)).toFixed(2)} MB per session`,
    ]);
  } finally {
    await Promise.all([...nodes, ...(raw ? [raw] : [])].map((n) => n.close().catch(() => {})));
    await sim.close();
    await db.drop();
  }
}
