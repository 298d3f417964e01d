import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type Simulator, startSimulator } from '@zapgate/wa-sim';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, ServerProcess, WebhookReceiver } from './chaos-harness.js';
import { waitFor } from './stack.js';

/** Several simulated contacts, each sending its share of the burst one after the other. */
const contacts = 5;
const perContact = 40;
const total = contacts * perContact;
const settleMs = 300_000;

interface Rig {
  sim: Simulator;
  server: ServerProcess;
  receiver: WebhookReceiver;
  /** The test's own view of the server's database (reads, and the fault injection). */
  db: PostgresStore;
  sessionId: string;
  deviceJid: string;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function rig(): Promise<Rig> {
  const database = await createTestDatabase({ prefix: 'zapgate_chaos' });
  cleanups.push(() => database.drop());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-chaos-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const sim = await startSimulator();
  cleanups.push(() => sim.close());
  const receiver = await new WebhookReceiver().listen();
  cleanups.push(() => receiver.close());
  const server = new ServerProcess(await freePort(), {
    DATABASE_URL: database.url,
    ZAPGATE_DATA_DIR: dataDir,
    WA_WEBSOCKET_URL: sim.url,
    ZAPGATE_SIM_ADMIN_URL: sim.adminUrl,
    ZAPGATE_PLUGINS: 'webhooks',
    ZAPGATE_ALLOW_PRIVATE_URLS: '127.0.0.1',
  });
  cleanups.push(() => server.stop());
  await server.start();
  // one connection: every other one to this database is the server's
  const db = postgresStore({ databaseUrl: database.url, pool: { min: 0, max: 1 } });
  cleanups.push(() => db.close());
  const { id, deviceJid } = await server.pair(sim, 'chaos', '15558880001');
  const hook = await server.api('POST', `/v1/sessions/${id}/webhooks`, {
    url: receiver.url,
    events: ['message.received'],
  });
  if (hook.status !== 201) throw new Error(`webhook: ${JSON.stringify(hook.body)}`);
  receiver.secret = (hook.body as { secret: string }).secret;
  return { sim, server, receiver, db, sessionId: id, deviceJid };
}

/** Sends the burst: every contact sends its texts in order, all contacts at once. */
function burst(r: Rig): { sent: string[]; done: Promise<void> } {
  const sent: string[] = [];
  const done = Promise.all(
    Array.from({ length: contacts }, async (_, c) => {
      const contact = r.sim.contact(`1555889${String(c).padStart(4, '0')}`, { name: `Contact ${c}` });
      for (let i = 0; i < perContact; i++) sent.push(await contact.sendText(r.deviceJid, `burst ${c}/${i}`));
    }),
  ).then(() => {});
  return { sent, done };
}

/** Stored copies per WhatsApp id (reads that hit a killed connection count as "not yet"). */
async function storedCopies(r: Rig): Promise<Map<string, number> | null> {
  try {
    const rows = await r.db.sql.query<{ waid: string; n: number }>(
      'SELECT "waid", count(*)::int AS "n" FROM "messages" WHERE "sessionId" = ? AND NOT "isFromMe" GROUP BY "waid"',
      [r.sessionId],
    );
    return new Map(rows.map((row) => [row.waid, row.n]));
  } catch {
    return null;
  }
}

async function storedAtLeast(r: Rig, count: number, label: string): Promise<void> {
  await waitFor(async () => ((await storedCopies(r))?.size ?? 0) >= count, settleMs, label).catch(
    async (error) => {
      const stored = (await storedCopies(r))?.size ?? 'unknown';
      throw new Error(`${error.message}: ${stored} of ${count} stored\n${r.server.tail()}`);
    },
  );
}

/** Every message the simulator sent is stored exactly once and reached the receiver at least once. */
async function expectNothingLost(r: Rig, sent: readonly string[], label: string): Promise<void> {
  await waitFor(
    async () => {
      const stored = await storedCopies(r);
      const received = r.receiver.receivedWaids();
      return stored && sent.every((waid) => stored.has(waid) && received.has(waid));
    },
    settleMs,
    'every message stored and delivered',
  ).catch(async (error) => {
    const stored = (await storedCopies(r)) ?? new Map();
    const received = r.receiver.receivedWaids();
    throw new Error(
      `${error.message}: ${sent.filter((w) => !stored.has(w)).length} of ${sent.length} not stored, ` +
        `${sent.filter((w) => !received.has(w)).length} not delivered\n${r.server.tail()}`,
    );
  });
  const stored = (await storedCopies(r)) as Map<string, number>;
  expect(sent).toHaveLength(total);
  expect(new Set(sent).size).toBe(total);
  expect([...stored.keys()].sort()).toEqual([...sent].sort());
  expect([...stored.values()].every((n) => n === 1)).toBe(true);
  expect(r.receiver.invalid).toEqual([]);
  const idsByWaid = new Map<string, Set<string>>();
  for (const d of r.receiver.deliveries) {
    if (!d.waid) continue;
    idsByWaid.set(d.waid, (idsByWaid.get(d.waid) ?? new Set()).add(d.webhookId));
  }
  for (const ids of idsByWaid.values()) expect(ids.size).toBe(1); // a duplicate keeps its webhook-id
  const duplicates = r.receiver.deliveries.length - idsByWaid.size;
  console.info(
    `${label}: ${total} sent, ${sent.length - stored.size} lost, ${[...stored.values()].filter((n) => n > 1).length} stored twice, ${duplicates} duplicate webhook deliveries`,
  );
}

describe('chaos: inbound bursts from several contacts, the server as a child process on Postgres', () => {
  it('SIGKILL mid-burst, then a restart: every message stored once and delivered', {
    timeout: 900_000,
  }, async () => {
    const r = await rig();
    const { sent, done } = burst(r);
    await storedAtLeast(r, total / 4, 'a quarter of the burst stored');
    await r.server.kill();
    await done; // the rest is sent while the server is down (WhatsApp queues it)
    await r.server.start();
    await expectNothingLost(r, sent, 'SIGKILL');
  });

  it('every Postgres connection of the server terminated three times mid-burst, no restart: every message stored once and delivered', {
    timeout: 900_000,
  }, async () => {
    const r = await rig();
    const { sent, done } = burst(r);
    for (const share of [0.2, 0.4, 0.6]) {
      await storedAtLeast(r, total * share, `${share * 100}% of the burst stored`);
      // stores come in large batches: the share may have been passed before the last
      // termination, and the server not have connected again yet
      await waitFor(async () => (await serverConnections(r)) > 0, settleMs, 'the server connected again');
      const killed = await terminateServerConnections(r);
      expect(killed).toBeGreaterThan(0);
    }
    await done;
    await expectNothingLost(r, sent, 'pg_terminate_backend');
    expect(r.server.child?.exitCode).toBeNull(); // the server stayed up through it
    // the faults hit the inbound pipeline itself: stores failed and were retried, not dropped
    expect(await metric(r, 'zapgate_inbound_store_failures_total')).toBeGreaterThan(0);
  });
});

/** The sum of a counter over its labels, from the server's `/metrics`. */
async function metric(r: Rig, name: string): Promise<number> {
  const text = await (await fetch(`${r.server.baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Terminates every connection to the test database but the one asking; how many it ended. */
/** Connections to the test database other than this one's (the server's). */
async function serverConnections(r: Rig): Promise<number> {
  const rows = await r.db.sql.query<{ n: number }>(
    `SELECT count(*)::int AS "n" FROM pg_stat_activity
     WHERE "datname" = current_database() AND "pid" <> pg_backend_pid()`,
  );
  return rows[0]?.n ?? 0;
}

async function terminateServerConnections(r: Rig): Promise<number> {
  const rows = await r.db.sql.query<{ ended: boolean }>(
    `SELECT pg_terminate_backend("pid") AS "ended" FROM pg_stat_activity
     WHERE "datname" = current_database() AND "pid" <> pg_backend_pid()`,
  );
  return rows.filter((row) => row.ended).length;
}
