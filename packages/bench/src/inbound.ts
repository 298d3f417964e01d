import { randomUUID } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import type { InboundMessage } from '@zapgate/core';
import pg from 'pg';
import { type Figure, percentile, printFigures } from './report.js';
import {
  type Backend,
  countStatements,
  openStore,
  type Scratch,
  scratch,
  startReceiver,
  startStack,
  subscribe,
} from './stack.js';

/** Sizes of {@link inboundBench}. */
export interface InboundSizes {
  sessions: number;
  messages: number;
  /** Messages one session has in flight at once (a socket delivering faster than we store). */
  window: number;
  /** Rate of the paced run (messages/s), for the latency figures. */
  pacedRate: number;
  pacedSeconds: number;
  /** How long to wait for the last webhook before reporting what arrived. */
  deliveryTimeoutMs: number;
}

const chatsPerSession = 20;

function message(session: number, i: number, tag: string): InboundMessage {
  const contact = `1555${String(session).padStart(3, '0')}${String(i % chatsPerSession).padStart(4, '0')}`;
  return {
    chatId: `${contact}@s.whatsapp.net`,
    waid: `${tag}${session}X${i}`,
    msgType: 'text',
    content: { text: `message ${i} from ${contact}, long enough to look like a real text` },
    senderJid: `${contact}@s.whatsapp.net`,
    senderName: `Contact ${i % chatsPerSession}`,
    isFromMe: false,
    quotedMsgId: null,
    timestamp: new Date().toISOString(),
  } as InboundMessage;
}

const columns = [
  'id',
  'sessionId',
  'chatId',
  'waid',
  'msgType',
  'content',
  'senderJid',
  'senderName',
  'isFromMe',
  'status',
  'timestamp',
  'metadata',
];

function row(sessionId: string, m: InboundMessage): unknown[] {
  return [
    randomUUID(),
    sessionId,
    m.chatId,
    m.waid,
    m.msgType,
    JSON.stringify(m.content),
    m.senderJid,
    m.senderName,
    false,
    'delivered',
    m.timestamp,
    '{}',
  ];
}

function insertSql(rows: number): string {
  const values: string[] = [];
  for (let r = 0; r < rows; r++) {
    values.push(`(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`);
  }
  return `INSERT INTO messages (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`;
}

/** Raw single-row and 100-row INSERTs of the same rows into the same table (rows/s). */
async function rawInserts(backend: Backend, sizes: InboundSizes): Promise<{ single: number; batch: number }> {
  const db = await scratch(backend);
  const store = openStore(db);
  await store.init(); // the real `messages` table with its indexes
  await store.close();
  const sessionIds = Array.from({ length: sizes.sessions }, () => randomUUID());
  const perSession = Math.floor(sizes.messages / sizes.sessions);
  const rowsOf = (tag: string) =>
    sessionIds.map((sid, s) => Array.from({ length: perSession }, (_, i) => row(sid, message(s, i, tag))));
  try {
    if (db.url) {
      const pool = new pg.Pool({ connectionString: db.url, max: sizes.sessions });
      // `pool.end()` can still be closing a client when the drop's FORCE terminates it
      pool.on('error', () => {});
      const single = rowsOf('S');
      let t0 = performance.now();
      await Promise.all(
        single.map(async (rows) => {
          for (const r of rows) await pool.query(insertSql(1), r);
        }),
      );
      const singleRate = (perSession * sizes.sessions) / ((performance.now() - t0) / 1000);
      const batch = rowsOf('B');
      t0 = performance.now();
      await Promise.all(
        batch.map(async (rows) => {
          for (let i = 0; i < rows.length; i += 100) {
            const chunk = rows.slice(i, i + 100);
            await pool.query(insertSql(chunk.length), chunk.flat());
          }
        }),
      );
      const batchRate = (perSession * sizes.sessions) / ((performance.now() - t0) / 1000);
      await pool.end();
      return { single: singleRate, batch: batchRate };
    }
    const lite = new PGlite(`${db.dataDir}/pglite`);
    const rows = rowsOf('S').flat();
    let t0 = performance.now();
    for (const r of rows) await lite.query(insertSql(1), r);
    const singleRate = rows.length / ((performance.now() - t0) / 1000);
    const batch = rowsOf('B').flat();
    t0 = performance.now();
    for (let i = 0; i < batch.length; i += 100) {
      const chunk = batch.slice(i, i + 100);
      await lite.query(insertSql(chunk.length), chunk.flat());
    }
    const batchRate = batch.length / ((performance.now() - t0) / 1000);
    await lite.close();
    return { single: singleRate, batch: batchRate };
  } finally {
    await db.drop();
  }
}

interface PipelineResult {
  storedPerSec: number;
  deliveredPerSec: number;
  delivered: number;
  latencies: number[];
  pacedLatencies: number[];
  pacedDelivered: number;
  pacedSent: number;
  /** Injections the gateway rejected (the connector's store call failed). */
  failed: number;
  /** SQL statements the server sent from the burst's start to its last delivery, per message. */
  statementsPerMessage: number;
}

/** Fake connector → gateway (server, webhooks plugin) → a receiver in another process. */
async function pipeline(db: Scratch, sizes: InboundSizes): Promise<PipelineResult> {
  const receiver = await startReceiver();
  const stack = await startStack(db, { sessions: sizes.sessions });
  try {
    await subscribe(stack.app, `${receiver.url}/hook`, ['message.received']);
    const injectedAt = new Map<string, number>();
    let failed = 0;
    const inject = async (s: number, m: InboundMessage) => {
      injectedAt.set(m.waid, Date.now());
      await stack.fake
        .session(stack.sessionIds[s] as string)
        .emit({ type: 'messages', history: false, messages: [m] })
        .catch(() => failed++); // a real socket would have lost it: counted, reported
    };

    // statements the server sends per message, storing and delivering (BENCH_SQL=1 lists them)
    const sql = countStatements(stack.store);

    // burst: every session delivers its share with `window` messages in flight
    const perSession = Math.floor(sizes.messages / sizes.sessions);
    const total = perSession * sizes.sessions;
    const t0 = Date.now();
    await Promise.all(
      stack.sessionIds.map(async (_, s) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: sizes.window }, async () => {
            while (next < perSession) await inject(s, message(s, next++, 'M'));
          }),
        );
      }),
    );
    const storedMs = Date.now() - t0;
    const deadline = Date.now() + sizes.deliveryTimeoutMs;
    while ((await receiver.count()) < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const burst = await receiver.report();
    const statements = sql.stop();
    const firstArrival = new Map<string, number>();
    for (const [at, , waid] of burst) if (waid && !firstArrival.has(waid)) firstArrival.set(waid, at);
    const lastAt = Math.max(...firstArrival.values());
    const latencies = [...firstArrival].map(([waid, at]) => at - (injectedAt.get(waid) as number));

    // paced: a steady rate across sessions, for inject → delivered latency
    const pacedTotal = sizes.pacedRate * sizes.pacedSeconds;
    const tick = 10;
    const perTick = (sizes.pacedRate * tick) / 1000;
    const pending: Promise<void>[] = [];
    let sent = 0;
    const start = Date.now();
    while (sent < pacedTotal) {
      const due = Math.min(pacedTotal, Math.floor(((Date.now() - start) / tick + 1) * perTick));
      for (; sent < due; sent++) {
        const s = sent % sizes.sessions;
        pending.push(inject(s, message(s, Math.floor(sent / sizes.sessions), 'P')));
      }
      await new Promise((r) => setTimeout(r, tick));
    }
    await Promise.all(pending);
    const pacedDeadline = Date.now() + sizes.deliveryTimeoutMs;
    while ((await receiver.count()) < total + pacedTotal && Date.now() < pacedDeadline)
      await new Promise((r) => setTimeout(r, 100));
    const all = await receiver.report();
    const pacedFirst = new Map<string, number>();
    for (const [at, , waid] of all)
      if (waid?.startsWith('P') && !pacedFirst.has(waid)) pacedFirst.set(waid, at);
    return {
      storedPerSec: total / (storedMs / 1000),
      deliveredPerSec: firstArrival.size / ((lastAt - t0) / 1000),
      delivered: firstArrival.size,
      latencies,
      pacedLatencies: [...pacedFirst].map(([waid, at]) => at - (injectedAt.get(waid) as number)),
      pacedDelivered: pacedFirst.size,
      pacedSent: pacedTotal,
      failed,
      statementsPerMessage: statements / total,
    };
  } finally {
    await stack.close();
    await receiver.close();
  }
}

/** Benchmark 1: the inbound pipeline on one backend, against raw INSERTs of the same rows. */
export async function inboundBench(backend: Backend, sizes: InboundSizes): Promise<void> {
  const raw = await rawInserts(backend, sizes);
  const db = await scratch(backend);
  let result: PipelineResult;
  try {
    result = await pipeline(db, sizes);
  } finally {
    await db.drop();
  }
  const rawSingle = { name: `raw ${backend} 1-row INSERTs`, value: raw.single };
  const figures: Figure[] = [
    { name: 'stored', value: result.storedPerSec, unit: 'msg/s', reference: rawSingle, better: 'higher' },
    {
      name: 'stored (vs batched)',
      value: result.storedPerSec,
      unit: 'msg/s',
      reference: { name: `raw ${backend} 100-row INSERTs`, value: raw.batch },
      better: 'higher',
    },
    {
      name: 'delivered to webhook',
      value: result.deliveredPerSec,
      unit: 'msg/s',
      reference: rawSingle,
      better: 'higher',
    },
    {
      name: 'SQL statements per message (stored and delivered)',
      value: result.statementsPerMessage,
      unit: '',
      better: 'lower',
    },
    {
      name: 'burst inject→delivered p50',
      value: percentile(result.latencies, 50),
      unit: 'ms',
      better: 'lower',
    },
    {
      name: 'burst inject→delivered p99',
      value: percentile(result.latencies, 99),
      unit: 'ms',
      better: 'lower',
    },
    {
      name: `paced ${sizes.pacedRate}/s inject→delivered p50`,
      value: percentile(result.pacedLatencies, 50),
      unit: 'ms',
      better: 'lower',
    },
    {
      name: `paced ${sizes.pacedRate}/s inject→delivered p99`,
      value: percentile(result.pacedLatencies, 99),
      unit: 'ms',
      better: 'lower',
    },
  ];
  printFigures(`Inbound pipeline on ${backend}`, figures, [
    `${sizes.messages} texts over ${sizes.sessions} sessions (${chatsPerSession} chats each), ${sizes.window} in flight per session; fake connector → server with webhooks → receiver process`,
    `store calls that failed (a real socket would lose these): ${result.failed}`,
    `delivered ${result.delivered}/${sizes.messages} burst, ${result.pacedDelivered}/${result.pacedSent} paced within ${sizes.deliveryTimeoutMs / 1000}s`,
  ]);
}
