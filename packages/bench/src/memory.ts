import { type Simulator, startSimulator } from '@zapgate/wa-sim';
import { type Memory, mb, memoryChild, pause } from './memory-driver.js';
import { type Figure, printFigures } from './report.js';
import { adminKey, scratch } from './stack.js';

interface Sizes {
  /** Session counts measured (each in fresh processes). */
  counts: number[];
  /** Pairings in flight at once. */
  concurrency: number;
  /** Idle time after the last pairing before the measurement (initial sync settles). */
  settleMs: number;
  /** Idle time between the measurement and a second one (growth while idle). */
  idleMs: number;
}

interface Measured {
  base: Memory;
  settled: Memory;
  idle: Memory;
  pairSeconds: number;
}

let run = 0;

/** `count` sessions of one kind paired in a process of their own; memory after GC before and after. */
async function measure(
  sim: Simulator,
  kind: 'zapgate' | 'raw',
  count: number,
  sizes: Sizes,
  databaseUrl?: string,
  dataDir = '/tmp',
): Promise<Measured> {
  run++;
  const child = memoryChild(sim, {
    kind,
    url: sim.url,
    rootKey: sim.rootPublicKeyBase64,
    certificate: sim.mediaCertificate,
    count,
    concurrency: sizes.concurrency,
    databaseUrl,
    dataDir,
    adminKey,
    phonePrefix: `1${String(run).padStart(3, '0')}${kind === 'raw' ? '1' : '2'}`,
  });
  const memory = () => child.ask('measure', (m) => m.memory as Memory | undefined);
  try {
    await child.ask(null, (m) => m.ready as boolean | undefined);
    const base = await memory();
    const pairSeconds = await child.ask({ pair: count }, (m) => m.seconds as number | undefined);
    await pause(sizes.settleMs);
    const settled = await memory();
    await pause(sizes.idleMs);
    const idle = await memory();
    return { base, settled, idle, pairSeconds };
  } finally {
    await child.close();
  }
}

/**
 * Benchmark 4: memory per idle session — `counts` sessions paired on wa-sim through the full
 * server (Postgres, webhooks plugin) in a process of its own, RSS and heap per session after
 * GC (what the process holds over its own start with Baileys loaded, divided by the sessions);
 * reference: the same number of raw Baileys sockets (in-memory auth) in their own process on
 * the same simulator.
 */
export async function memoryBench(sizes: Sizes) {
  const sim = await startSimulator();
  try {
    for (const count of sizes.counts) {
      // both processes pair and idle at the same time (memory is measured per process; the
      // wall time halves on a multi-core box)
      const db = await scratch('postgres');
      let raw: Measured;
      let gw: Measured;
      try {
        [raw, gw] = await Promise.all([
          measure(sim, 'raw', count, sizes),
          measure(sim, 'zapgate', count, sizes, db.url, db.dataDir),
        ]);
      } finally {
        await db.drop();
      }
      const per = (m: Measured, key: Exclude<keyof Memory, 'owned'>, at: 'settled' | 'idle' = 'settled') =>
        mb(m[at][key] - m.base[key]) / count;
      const growth = (m: Measured) => (mb(m.idle.rss - m.settled.rss) / count) * (60_000 / sizes.idleMs);
      const figures: Figure[] = [
        {
          name: 'RSS per idle session',
          value: per(gw, 'rss'),
          unit: 'MB',
          reference: { name: 'raw Baileys socket', value: per(raw, 'rss') },
          better: 'lower',
        },
        {
          name: 'JS heap per idle session',
          value: per(gw, 'heapUsed'),
          unit: 'MB',
          reference: { name: 'raw Baileys socket', value: per(raw, 'heapUsed') },
          better: 'lower',
        },
        {
          name: 'external + array buffers per idle session',
          value: per(gw, 'external') + per(gw, 'arrayBuffers'),
          unit: 'MB',
          reference: {
            name: 'raw Baileys socket',
            value: per(raw, 'external') + per(raw, 'arrayBuffers'),
          },
          better: 'lower',
        },
        {
          name: `RSS growth per session while idle (per minute, over ${sizes.idleMs / 1000} s)`,
          value: growth(gw),
          unit: 'MB',
          reference: { name: 'raw Baileys socket', value: growth(raw) },
          better: 'lower',
        },
      ];
      printFigures(`Memory per idle session (${count} sessions on wa-sim)`, figures, [
        `after GC, over the process's own start with Baileys loaded: gateway ${mb(gw.base.rss).toFixed(0)} → ${mb(gw.settled.rss).toFixed(0)} MB RSS (paired in ${gw.pairSeconds.toFixed(1)} s), raw ${mb(raw.base.rss).toFixed(0)} → ${mb(raw.settled.rss).toFixed(0)} MB (paired in ${raw.pairSeconds.toFixed(1)} s); measured ${sizes.settleMs / 1000} s after the last pairing`,
      ]);
    }
  } finally {
    await sim.close();
  }
}
