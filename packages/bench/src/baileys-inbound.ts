import { createWriteStream } from 'node:fs';
import type { AuthenticationState, WASocket } from '@whiskeysockets/baileys';
import type { Connector } from '@zapgate/core';
import { baileysConnector } from '@zapgate/core/baileys';
import { buildServer } from '@zapgate/server';
import { memoryAuthState, type Simulator, startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';
import { openRawSocket } from './raw-baileys.js';
import { type Figure, printFigures, until } from './report.js';
import { adminKey, countStatements, openStore, scratch } from './stack.js';

const auth = { authorization: `Bearer ${adminKey}` };

const rawSocket = (sim: Simulator, state: AuthenticationState) => openRawSocket(sim.baileysConfig(), state);

const closedWith = (sock: WASocket) =>
  new Promise<number | undefined>((resolve) =>
    sock.ev.on('connection.update', (u) => {
      if (u.connection === 'close')
        resolve((u.lastDisconnect?.error as { output?: { statusCode?: number } })?.output?.statusCode);
    }),
  );

/** A raw Baileys socket paired by QR on the simulator, open, counting inbound texts. */
async function pairRaw(sim: Simulator, phoneNumber: string) {
  const state = memoryAuthState();
  const first = rawSocket(sim, state);
  let paired: Promise<unknown> | undefined;
  first.ev.on('connection.update', (u) => {
    if (u.qr && !paired) paired = sim.scanQr(u.qr, { phoneNumber });
  });
  const code = await closedWith(first);
  if (code !== 515) throw new Error(`raw Baileys: expected restart 515 after pairing, got ${code}`);
  await paired;
  const sock = rawSocket(sim, state);
  let received = 0;
  sock.ev.on('messages.upsert', ({ messages, type }) => {
    if (type === 'notify') received += messages.filter((m) => !m.key.fromMe).length;
  });
  await new Promise<void>((resolve, reject) =>
    sock.ev.on('connection.update', (u) => {
      if (u.connection === 'open') resolve();
      if (u.connection === 'close') reject(new Error('raw Baileys closed before open'));
    }),
  );
  return { sock, jid: sock.user?.id as string, received: () => received };
}

/** The contact sends `count` texts to `jid`, `window` at a time; resolves when all are handed over. */
async function sendTexts(sim: Simulator, jid: string, count: number, window: number) {
  const contact = sim.contact('15557770000', { name: 'Bench contact' });
  for (let i = 0; i < count; i += window) {
    const batch = Array.from({ length: Math.min(window, count - i) }, (_, k) => i + k);
    await Promise.all(batch.map((n) => contact.sendText(jid, `bench text ${n}`)));
  }
}

/**
 * Benchmark 2: a simulated contact sends `messages` texts to a session paired through the full
 * server (real Baileys on wa-sim, Postgres, webhooks plugin, info logs) — stored/s — against a
 * raw Baileys socket decrypting the same texts on the same simulator in the same run.
 */
export async function baileysInboundBench({ messages, window }: { messages: number; window: number }) {
  const sim = await startSimulator();
  const untrust = trustSimulatorRoot(sim);
  const db = await scratch('postgres');
  const store = openStore(db);
  await store.init();
  const { webhooks } = await import('@zapgate/plugin-webhooks');
  const app = buildServer({
    adminKey,
    store,
    connector: baileysConnector({ ...sim.baileysConfig() }) as Connector,
    plugins: [webhooks()],
    logger: { level: 'info', stream: createWriteStream('/dev/null') },
  });
  try {
    // reference first: a raw socket on the same simulator
    const raw = await pairRaw(sim, '15557771111');
    let t0 = performance.now();
    await sendTexts(sim, '15557771111@s.whatsapp.net', messages, window);
    const rawDone = await until(() => raw.received() >= messages, 300_000, 10);
    const rawSeconds = (performance.now() - t0) / 1000;
    raw.sock.end(undefined);

    await app.ready();
    const created = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: auth,
      payload: { name: 'bench' },
    });
    const id = created.json().id as string;
    await app.inject({ method: 'POST', url: `/v1/sessions/${id}/connect`, headers: auth });
    let qr: string | null = null;
    await until(
      async () => {
        const res = await app.inject({ url: `/v1/sessions/${id}/qr`, headers: auth });
        qr = res.statusCode === 200 ? (res.json().qr as string) : null;
        return qr !== null;
      },
      60_000,
      50,
    );
    await sim.scanQr(qr as unknown as string, { phoneNumber: '15557772222' });
    await until(
      async () => {
        const s = (await app.inject({ url: `/v1/sessions/${id}`, headers: auth })).json();
        return s.status === 'connected';
      },
      60_000,
      50,
    );
    const stored = async () =>
      Number(
        (
          (await store.knex('messages').where({ sessionId: id, isFromMe: false }).count('* as n')) as {
            n: string;
          }[]
        )[0]?.n ?? 0,
      );
    // statements the server sends to Postgres per stored message (Signal keys, messages, events,
    // consumers), not the bench's own polling of the stored count
    const sql = countStatements(store, (q) => q.startsWith('select count(*) as "n" from "messages"'));
    // BENCH_TRACE=<file>: each statement's start (S) and answer (R), ms since the burst began,
    // with its connection: where one message's time goes between its decryption and its receipt
    if (process.env.BENCH_TRACE) {
      const { appendFileSync } = await import('node:fs');
      const traceStart = performance.now();
      store.knex.on('query', (q: { sql?: string; __knexUid?: string; __knexQueryUid?: string }) => {
        if (q.sql?.startsWith('select count(*)')) return;
        appendFileSync(
          process.env.BENCH_TRACE as string,
          `${(performance.now() - traceStart).toFixed(2)} S ${q.__knexUid} ${q.__knexQueryUid} ${(q.sql ?? '').replace(/\s+/g, ' ').slice(0, 60)}\n`,
        );
      });
      store.knex.on('query-response', (_r: unknown, q: { __knexUid?: string; __knexQueryUid?: string }) => {
        appendFileSync(
          process.env.BENCH_TRACE as string,
          `${(performance.now() - traceStart).toFixed(2)} R ${q.__knexUid} ${q.__knexQueryUid}\n`,
        );
      });
    }
    t0 = performance.now();
    await sendTexts(sim, '15557772222@s.whatsapp.net', messages, window);
    const gwDone = await until(async () => (await stored()) >= messages, 300_000, 50);
    const gwSeconds = (performance.now() - t0) / 1000;
    const statements = sql.stop();
    const figures: Figure[] = [
      {
        name: 'stored by the gateway',
        value: (await stored()) / gwSeconds,
        unit: 'msg/s',
        reference: { name: 'raw Baileys socket decrypting', value: raw.received() / rawSeconds },
        better: 'higher',
      },
      {
        name: 'SQL statements per stored message',
        value: statements / Math.max(1, await stored()),
        unit: '',
        better: 'lower',
      },
    ];
    printFigures('Inbound through real Baileys on wa-sim (one session, Postgres)', figures, [
      `${messages} texts from one contact, ${window} in flight; raw ${rawDone ? 'received all' : `received ${raw.received()}`} in ${rawSeconds.toFixed(1)} s, gateway ${gwDone ? 'stored all' : `stored ${await stored()}`} in ${gwSeconds.toFixed(1)} s`,
    ]);
  } finally {
    await app.close();
    await sim.close();
    untrust();
    await db.drop();
  }
}
