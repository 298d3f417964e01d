import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { type Figure, printFigures } from './report.js';
import { openStore, scratch, startStack } from './stack.js';

const run = promisify(execFile);

interface Load {
  ok: number;
  non2xx: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
  statusCodes: Record<string, { count: number }>;
}

/** One autocannon run in a child process; `rate` absent = saturation. */
async function load(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  seconds: number,
  rate?: number,
): Promise<Load> {
  const options = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    duration: seconds,
    connections: rate ? Math.min(100, Math.max(10, Math.ceil(rate / 20))) : 50,
    ...(rate ? { overallRate: rate } : {}),
  };
  const { stdout } = await run(
    process.execPath,
    [new URL('./load.js', import.meta.url).pathname, JSON.stringify(options)],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as Load;
}

const text = { type: 'text', to: '15550002222', text: 'Hello from the send benchmark, a short text' };

/** Benchmark 3: POST a text through the server against a bare Fastify route + one INSERT. */
export async function sendApiBench({ seconds }: { seconds: number }): Promise<void> {
  // reference: a bare Fastify route parsing the same JSON and doing one INSERT
  const refDb = await scratch('postgres');
  const refStore = openStore(refDb);
  await refStore.init();
  await refStore.close();
  const pool = new pg.Pool({ connectionString: refDb.url, max: 10 });
  pool.on('error', () => {}); // a client still closing when the drop's FORCE ends it
  const sessionId = randomUUID();
  const bare = Fastify({ logger: false });
  bare.post('/msg', async (request, reply) => {
    const b = request.body as typeof text;
    const id = randomUUID();
    await pool.query(
      `INSERT INTO messages ("id", "sessionId", "chatId", "waid", "msgType", "content", "isFromMe", "status", "timestamp")
       VALUES ($1, $2, $3, $4, 'text', $5, true, 'pending', now())`,
      [id, sessionId, `${b.to}@s.whatsapp.net`, id, JSON.stringify({ text: b.text })],
    );
    return reply.status(202).send({ id, status: 'pending' });
  });
  const bareUrl = `${await bare.listen({ port: 0, host: '127.0.0.1' })}/msg`;
  const ref200 = await load(bareUrl, {}, text, seconds, 200);
  const ref500 = await load(bareUrl, {}, text, seconds, 500);
  const refMax = await load(bareUrl, {}, text, seconds);
  await bare.close();
  await pool.end();
  await refDb.drop();

  const db = await scratch('postgres');
  const stack = await startStack(db, { sessions: 1 });
  try {
    const id = stack.sessionIds[0] as string;
    const url = `${await stack.app.listen({ port: 0, host: '127.0.0.1' })}/v1/sessions/${id}/messages`;
    const headers = { authorization: `Bearer ${stack.apiKeys[0]}` };
    const sends = () => stack.fake.session(id).sends.length;
    // machine-independent costs: statements sent to Postgres and CPU of this process per send
    let queries = 0;
    stack.store.knex.on('query', () => {
      queries++;
    });
    const at200 = await load(url, headers, text, seconds, 200);
    const at500 = await load(url, headers, text, seconds, 500);
    const started = Date.now();
    const accepted0 = at200.ok + at500.ok;
    // what the earlier loads left is drained first: the saturation's costs are its own
    while (sends() < accepted0 && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 50));
    const sentBefore = sends();
    const queries0 = queries;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const max = await load(url, headers, text, seconds);
    const accepted = accepted0 + max.ok;
    const atEnd = sends();
    while (sends() < accepted && Date.now() - t0 < 300_000) await new Promise((r) => setTimeout(r, 50));
    const drained = (sends() - sentBefore) / ((Date.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    const perSend = {
      queries: (queries - queries0) / Math.max(1, max.ok),
      cpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, max.ok),
    };
    const backlog = accepted - atEnd;
    const refused = Object.entries(max.statusCodes)
      .filter(([code]) => code === '429' || code === '503')
      .reduce((sum, [, s]) => sum + s.count, 0);
    const figures: Figure[] = [
      {
        name: 'saturation throughput (202s)',
        value: max.ok / max.seconds,
        unit: 'req/s',
        reference: { name: 'bare Fastify + INSERT', value: refMax.ok / refMax.seconds },
        better: 'higher',
      },
      {
        name: 'p50 at 200 rps',
        value: at200.p50,
        unit: 'ms',
        reference: { name: 'bare', value: ref200.p50 },
        better: 'lower',
      },
      {
        name: 'p99 at 200 rps',
        value: at200.p99,
        unit: 'ms',
        reference: { name: 'bare', value: ref200.p99 },
        better: 'lower',
      },
      {
        name: 'p50 at 500 rps',
        value: at500.p50,
        unit: 'ms',
        reference: { name: 'bare', value: ref500.p50 },
        better: 'lower',
      },
      {
        name: 'p99 at 500 rps',
        value: at500.p99,
        unit: 'ms',
        reference: { name: 'bare', value: ref500.p99 },
        better: 'lower',
      },
      {
        name: 'p99 at saturation',
        value: max.p99,
        unit: 'ms',
        reference: { name: 'bare', value: refMax.p99 },
        better: 'lower',
      },
      {
        name: 'drain to connector (during + after saturation)',
        value: drained,
        unit: 'sends/s',
        reference: { name: 'accepted at saturation', value: max.ok / max.seconds },
        better: 'higher',
      },
    ];
    figures.push(
      {
        name: 'SQL statements per accepted send (request + drain)',
        value: perSend.queries,
        unit: '',
        better: 'lower',
      },
      {
        name: 'server CPU per accepted send (request + drain)',
        value: perSend.cpuMs,
        unit: 'ms',
        better: 'lower',
      },
    );
    printFigures('Send API (POST a text, session key, instant-ack connector, Postgres)', figures, [
      `${seconds}s per load; backlog at the end of saturation: ${backlog} accepted sends not yet handed to the connector; refused with 429/503: ${refused}; other non-2xx: ${max.non2xx - refused}`,
    ]);
  } finally {
    await stack.close();
    await db.drop();
  }
}
