// `pnpm bench` — every benchmark in turn; `BENCH_ONLY=inbound-postgres,send-api` picks some.
// `BENCH_SCALE=0.1` shrinks the sizes (for a quick look; BENCHMARKS.md uses 1).
// `BENCH_CAMPAIGN_RATE=300` runs the campaign bench at another rate (default 600/min).
// `BENCH_NODES_SESSIONS=1000` spreads 1,000 sessions over the three nodes of memory-nodes (default 90).
// `BENCH_MEMORY_COUNTS=200` picks the session counts of the memory bench (default 50,200).
// `BENCH_IDLE_MS=600000` watches the idle sessions of the memory bench for 10 minutes (default 20 s).
import { baileysInboundBench } from './baileys-inbound.js';
import { bootBench } from './boot.js';
import { campaignsBench } from './campaigns.js';
import { chatwootBench } from './chatwoot.js';
import { failoverBench } from './failover.js';
import { inboundBench } from './inbound.js';
import { memoryBench } from './memory.js';
import { nodesMemoryBench } from './memory-nodes.js';
import { machine } from './report.js';
import { sendApiBench } from './send-api.js';
import { webhookFanOutBench } from './webhook-fanout.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const n = (value: number) => Math.max(1, Math.round(value * scale));

const inboundSizes = {
  sessions: 10,
  messages: n(10_000),
  window: 10,
  pacedRate: 1000,
  pacedSeconds: Math.max(1, Math.round(5 * scale)),
  deliveryTimeoutMs: 240_000,
};

const bootSizes = {
  sessions: n(1000),
  pendingSends: n(100),
  openDelayMs: 50,
  watchMs: 10_000,
  runs: 3,
};

const benches: Record<string, () => Promise<void>> = {
  'inbound-postgres': () => inboundBench('postgres', inboundSizes),
  'inbound-pglite': () => inboundBench('pglite', inboundSizes),
  'inbound-baileys': () => baileysInboundBench({ messages: n(2000), window: 20 }),
  memory: () =>
    memoryBench({
      counts: (process.env.BENCH_MEMORY_COUNTS ?? '50,200').split(',').map((c) => n(Number(c))),
      concurrency: 8,
      settleMs: 10_000,
      idleMs: Number(process.env.BENCH_IDLE_MS ?? 20_000),
    }),
  'memory-nodes': () =>
    nodesMemoryBench({
      // 1,000 (the multi-node issue's figure) takes about 15 minutes on 2 cores: run it alone
      sessions: Math.max(3, n(Number(process.env.BENCH_NODES_SESSIONS ?? 90))),
      concurrency: 8,
      settleMs: 10_000,
      leaseMs: 20_000,
      heartbeatMs: 2000,
    }),
  'send-api': () => sendApiBench({ seconds: Math.max(2, Math.round(6 * scale)) }),
  'boot-postgres': () => bootBench('postgres', bootSizes),
  'boot-pglite': () => bootBench('pglite', bootSizes),
  campaigns: () =>
    campaignsBench({ recipients: n(200), perMinute: Number(process.env.BENCH_CAMPAIGN_RATE ?? 600) }),
  'webhook-fanout-postgres': () =>
    webhookFanOutBench('postgres', { rate: n(1000), seconds: 5, healthy: 4, drainTimeoutMs: 120_000 }),
  // embedded PGlite (one connection) at half the rate: the 1,000/s is measured on Postgres
  'webhook-fanout-pglite': () =>
    webhookFanOutBench('pglite', { rate: n(500), seconds: 5, healthy: 4, drainTimeoutMs: 120_000 }),
  failover: () =>
    failoverBench({ sessions: n(300), leaseMs: 3000, heartbeatMs: 500, openDelayMs: 50, runs: 1 }),
  'chatwoot-postgres': () => chatwootBench('postgres', { chats: 20, messages: n(1000), timeoutMs: 300_000 }),
};

const started = Date.now();
process.stdout.write(`# Zapgate benchmarks\nmachine at start: ${machine()}\nscale: ${scale}\n`);
for (const [name, bench] of Object.entries(benches)) {
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  await bench();
  process.stdout.write(`(${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
}
process.stdout.write(
  `\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s; machine at end: ${machine()}\n`,
);
process.exit(0);
