import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type Simulator, startSimulator } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess } from './chaos-harness.js';
import { waitFor } from './stack.js';

/**
 * Several gateway processes on one Postgres, real Baileys on wa-sim. 30 sessions over 3 nodes
 * (the numbers); a fourth joins and is then killed; a rolling restart; a node frozen
 * with SIGSTOP. Leases of 20 s renewed every 2 s: pairing ten sessions at once stalls a node's
 * event loop for several seconds on a busy 2-core box, and a node that cannot renew for a lease
 * time drops its sessions (as it must); the 10 s bound is after lease expiry.
 *
 * Throughout, a trigger records every write of Baileys auth state with the writing node (each
 * node's connections are named `zapgate <node id>`) and the lease holder at that moment: the
 * last test checks that no node ever wrote the auth state of a session another node held.
 */
const SESSIONS = 30;
const LEASE_MS = 20_000;
const HEARTBEAT_MS = 2000;
const contactNumber = '15558889999';

describe('three gateway nodes on one Postgres', () => {
  let sim: Simulator;
  let db: PostgresStore;
  let drop: () => Promise<void>;
  let dataDir: string;
  let databaseUrl = '';
  const nodes: ServerProcess[] = [];
  const adminKey = `zga_${randomBytes(24).toString('base64url')}`;
  /** Logins the simulator saw while another connection of the same device was still open. */
  const replaced: string[] = [];
  const logins: string[] = [];
  /** What the simulator could not handle (a copy it could not decrypt, say). */
  const simErrors: string[] = [];
  /** Connections the simulator's dead-peer detection ended (a node that did not answer pings in time). */
  const dropped: string[] = [];
  let sessions: { id: string; deviceJid: string }[] = [];
  let contact: ReturnType<Simulator['contact']>;

  const nodeId = (i: number) => `node-${i}`;
  const start = async (i: number) => {
    const port = await freePort();
    const node = new ServerProcess(
      port,
      {
        DATABASE_URL: databaseUrl,
        ZAPGATE_DATA_DIR: path.join(dataDir, nodeId(i)),
        WA_WEBSOCKET_URL: sim.url,
        ZAPGATE_SIM_ADMIN_URL: sim.adminUrl,
        ZAPGATE_PLUGINS: 'none',
        ZAPGATE_NODE_ID: nodeId(i),
        ZAPGATE_NODE_URL: `http://127.0.0.1:${port}`,
        ZAPGATE_LEASE_MS: String(LEASE_MS),
        ZAPGATE_HEARTBEAT_MS: String(HEARTBEAT_MS),
        // what a failed wait reports of a session (trailOf) includes its reconnects and handovers
        LOG_LEVEL: process.env.E2E_LOG ?? 'info',
      },
      adminKey,
    );
    nodes[i] = node;
    await node.start();
    return node;
  };
  const live = () => nodes.filter((n) => n.child);
  const owners = async () =>
    Promise.all(sessions.map(async (s) => (await db.leases.owner(s.id, LEASE_MS))?.nodeId ?? null));
  const countBy = (values: (string | null)[]) =>
    values.reduce<Record<string, number>>((acc, v) => {
      acc[String(v)] = (acc[String(v)] ?? 0) + 1;
      return acc;
    }, {});
  /** What every live node logged about a session, to tell why it is not where it should be. */
  const trailOf = (sessionId: string) =>
    live().flatMap((p) =>
      p
        .tail(100_000)
        .split('\n')
        .filter((line) => line.includes(sessionId) && !line.includes('request completed'))
        .slice(-15),
    );
  /**
   * Every session connected, each run by a live node whose lease is current; otherwise throws
   * what is not (a timed-out wait reports it).
   */
  const allRunningOn = async (allowed: string[]) => {
    const current = await owners();
    const rows = new Map((await db.sessions.list()).map((row) => [row.id, row]));
    const off = sessions.flatMap((s, i) => {
      const owner = current[i] ?? null;
      const row = rows.get(s.id);
      const running = owner !== null && allowed.includes(owner) && row?.status === 'connected';
      return running ? [] : [{ id: s.id, owner, status: row?.status, reason: row?.statusReason }];
    });
    if (off.length === 0) return true;
    const first = off[0] as { id: string };
    throw new Error(
      `${off.length} sessions not connected on ${allowed.join(', ')}: ${JSON.stringify(off)}\n` +
        `connections the simulator dropped as dead: ${JSON.stringify(dropped)}\n` +
        `what the nodes logged about ${first.id}:\n${trailOf(first.id).join('\n')}`,
    );
  };

  beforeAll(async () => {
    const database = await createTestDatabase({ prefix: 'zapgate_nodes' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-nodes-'));
    databaseUrl = database.url;
    db = postgresStore({ databaseUrl, pool: { max: 4 } });
    await db.init();
    await auditAuthWrites(db);
    drop = async () => {
      await db.close();
      await database.drop();
    };
    sim = await startSimulator();
    contact = sim.contact(contactNumber, { name: 'Nora' });
    sim.on('login-replaced', (event) => replaced.push(event.deviceJid));
    sim.on('login', (event) => logins.push(event.deviceJid));
    sim.on('error', (error) => simErrors.push(String(error)));
    sim.on('peer-dropped', (event) => dropped.push(event.deviceJid ?? `connection ${event.connectionId}`));
    await Promise.all([0, 1, 2].map((i) => start(i)));
  }, 600_000);
  afterAll(async () => {
    if (process.env.MULTINODE_DEBUG) for (const n of nodes) console.log(n?.tail(80));
    await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
    await sim?.close();
    await drop?.();
    await rm(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('pairs 30 sessions spread over the nodes (8–12 each), and every node serves every session', async () => {
    // three at a time, one per node: pairing uploads 800 pre-keys per session, and ten at once
    // starve a node's heartbeat on a busy 2-core box
    sessions = [];
    for (let i = 0; i < SESSIONS; i += 3) {
      sessions.push(
        ...(await Promise.all(
          [i, i + 1, i + 2].map((j) =>
            (nodes[j % 3] as ServerProcess).pair(sim, `s${j}`, `1555777${String(j).padStart(4, '0')}`),
          ),
        )),
      );
    }
    const listed = (await (nodes[1] as ServerProcess).api('GET', '/v1/admin/nodes')).body.items as {
      id: string;
      live: boolean;
      sessions: number;
      self: boolean;
    }[];
    expect(listed.map((n) => [n.id, n.live, n.self])).toEqual([
      ['node-0', true, false],
      ['node-1', true, true],
      ['node-2', true, false],
    ]);
    for (const n of listed) {
      expect(n.sessions).toBeGreaterThanOrEqual(8);
      expect(n.sessions).toBeLessThanOrEqual(12);
    }

    // a send through each node reaches WhatsApp from the owner; answers are the owner's
    const target = sessions[0] as { id: string };
    const owner = (await db.leases.owner(target.id, LEASE_MS))?.nodeId;
    for (const [i, node] of nodes.entries()) {
      const res = await fetch(`${node.baseUrl}/v1/sessions/${target.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'text', to: contactNumber, text: `via node ${i}` }),
      });
      expect(res.status).toBe(202);
      expect(res.headers.get('x-zapgate-node')).toBe(owner);
      const { waid } = (await res.json()) as { waid: string };
      await contact.waitForMessage((m) => m.id === waid && !m.ownCopy, { timeoutMs: 30_000 });
      // a bad request gets the same answer whichever node it reaches
      const bad = await node.api('POST', `/v1/sessions/${target.id}/messages`, {
        type: 'text',
        to: 'x',
        text: 'y',
      });
      expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
  }, 600_000);

  it('a fourth node joining takes sessions over gradually: only what it takes reconnects, never two sockets at once', async () => {
    const loginsBefore = logins.length;
    const replacedBefore = replaced.length;
    await start(3);
    // fair share over four nodes: ceil(30 / 4) = 8; the others hand over one session per heartbeat
    const share = Math.ceil(SESSIONS / 4);
    await waitFor(
      async () => {
        const counts = countBy(await owners());
        return (counts[nodeId(3)] ?? 0) > 0 && [0, 1, 2, 3].every((i) => (counts[nodeId(i)] ?? 0) <= share);
      },
      120_000,
      'no node over its share of four',
    );
    await waitFor(() => allRunningOn([0, 1, 2, 3].map(nodeId)), 60_000, 'all connected');
    const counts = countBy(await owners());
    console.log(`multinode: a fourth node joined, sessions per node ${JSON.stringify(counts)}`);
    // the sessions that moved to node 3 logged in once each; nobody else reconnected
    expect(counts[nodeId(3)]).toBeLessThanOrEqual(share);
    expect(logins.length - loginsBefore).toBe(counts[nodeId(3)]);
    expect(replaced.length).toBe(replacedBefore);
  }, 300_000);

  it('kill -9 of a node: its sessions connect elsewhere within 10 s of lease expiry, never twice at once, no inbound lost', async () => {
    const victim = nodes[3] as ServerProcess;
    const before = await owners();
    const moved = sessions.filter((_, i) => before[i] === nodeId(3));
    expect(moved.length).toBeGreaterThan(0);
    const replacedBefore = replaced.length;
    const killedAt = Date.now();
    await victim.kill();
    // the phone's contacts write to the moving sessions throughout (WhatsApp keeps what it
    // could not deliver and hands it to the next connection)
    const waids = await Promise.all(
      moved.map((s) => contact.sendText(s.deviceJid, `during failover ${s.id}`)),
    );
    await waitFor(() => allRunningOn([0, 1, 2].map(nodeId)), 60_000, 'every session running on nodes 0–2');
    const failoverMs = Date.now() - killedAt;
    console.log(`multinode: ${moved.length} sessions failed over in ${failoverMs} ms (lease ${LEASE_MS} ms)`);
    expect(failoverMs).toBeLessThan(LEASE_MS + 10_000);
    expect(replaced.length).toBe(replacedBefore);
    for (const [i, s] of moved.entries()) {
      await waitFor(
        () => db.messages.getByWaid(s.id, `${contactNumber}@s.whatsapp.net`, waids[i] as string),
        30_000,
        'inbound sent during the failover',
      );
    }
  }, 300_000);

  it('a rolling restart of every node under a send loop: zero failed sends, zero duplicates', async () => {
    const targets = sessions.slice(0, 3);
    const sent: { sessionId: string; waid: string }[] = [];
    let running = true;
    let attempts = 0;
    const loop = (async () => {
      for (let n = 0; running; n++) {
        const target = targets[n % targets.length] as { id: string };
        const key = `loop-${n}`;
        // retried (same key) on 503 or a refused connection, through the next live node
        for (let attempt = 0; ; attempt++) {
          attempts++;
          const node = live()[attempt % Math.max(1, live().length)];
          const res = await fetch(`${node?.baseUrl}/v1/sessions/${target.id}/messages`, {
            method: 'POST',
            headers: {
              authorization: `Bearer ${adminKey}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify({ type: 'text', to: contactNumber, text: `loop ${n}` }),
          }).catch(() => null);
          if (res?.status === 202) {
            sent.push({ sessionId: target.id, waid: ((await res.json()) as { waid: string }).waid });
            break;
          }
          if (res && res.status !== 503) {
            throw new Error(
              `send ${n}: ${res.status} from ${res.headers.get('x-zapgate-node')} ${await res.text()}\n${trailOf(target.id).join('\n')}`,
            );
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
    for (const i of [0, 1, 2]) {
      await (nodes[i] as ServerProcess).stop();
      await start(i);
      await waitFor(
        () => allRunningOn([nodeId(0), nodeId(1), nodeId(2)]),
        120_000,
        `all running after node ${i}`,
      );
    }
    running = false;
    await loop;
    expect(sent.length).toBeGreaterThan(10);
    for (const { sessionId, waid } of sent) {
      await contact
        .waitForMessage((m) => m.id === waid && !m.ownCopy, { timeoutMs: 60_000 })
        .catch(async (error: Error) => {
          // what became of it: stored status (and why it failed), and what the simulator said
          const rows = await db.sql.query<{ status: string; metadata: unknown }>(
            `SELECT "status", "metadata" FROM "messages" WHERE "sessionId" = $1 AND "waid" = $2`,
            [sessionId, waid],
          );
          throw new Error(
            `${error.message}: ${waid} of ${sessionId} is ${JSON.stringify(rows)}; simulator errors: ${simErrors.join('; ') || 'none'}`,
          );
        });
    }
    const failed = await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM "messages" WHERE "isFromMe" AND "status" = 'failed' AND "content"->>'text' LIKE 'loop %'`,
    );
    expect(Number(failed[0]?.n)).toBe(0);
    const copies = contact.received.filter((m) => !m.ownCopy && sent.some((s) => s.waid === m.id));
    expect(copies).toHaveLength(sent.length);
    console.log(`multinode: rolling restart, ${sent.length} sends (${attempts} attempts), 0 failed`);
  }, 900_000);

  it('a node frozen (SIGSTOP) past its lease: others take its sessions, and once resumed it drops them and writes no auth state', async () => {
    const frozenNode = nodes[1] as ServerProcess;
    // the rolling restart leaves the last node restarted under its share and the others handing
    // sessions over, one per heartbeat: freeze only once that is over, so no session is between
    // nodes at the freeze (its lease counted as node 1's, yet released rather than lost)
    const share = Math.ceil(SESSIONS / 3);
    await waitFor(
      async () => {
        const counts = countBy(await owners());
        const even = [0, 1, 2].every((i) => counts[nodeId(i)] === share);
        return even && (await allRunningOn([0, 1, 2].map(nodeId)));
      },
      120_000,
      `${share} sessions running on each node`,
    );
    const before = await owners();
    const frozen = sessions.filter((_, i) => before[i] === nodeId(1));
    expect(frozen.length).toBeGreaterThan(0);
    const replacedBefore = replaced.length;
    const lostBefore = await metric(frozenNode, 'zapgate_node_leases_lost_total');
    // as WhatsApp does, the simulator drops connections that stop answering pings: the frozen
    // node's sockets close within 5–10 s, well before their leases expire (20 s), so a new
    // owner's login never meets one still open. Not faster: a live node whose event loop a busy
    // 2-core box stalls for a couple of seconds must not lose its sockets too.
    sim.detectDeadPeers(5000);
    try {
      frozenNode.signal('SIGSTOP');
      // contacts write to the frozen node's sessions: what its sockets never acknowledged goes
      // to the next connection of each device
      const waids = await Promise.all(
        frozen.map((s) => contact.sendText(s.deviceJid, `while frozen ${s.id}`)),
      );
      await waitFor(
        () => allRunningOn([nodeId(0), nodeId(2)]),
        90_000,
        'every session running on nodes 0 and 2',
      );
      frozenNode.signal('SIGCONT');
      // awake, it finds its leases gone: it drops every one of those sessions (never reconnects them)
      await waitFor(
        async () => {
          const lost = await metric(frozenNode, 'zapgate_node_leases_lost_total');
          if (lost === lostBefore + frozen.length) return true;
          throw new Error(
            `the resumed node counts ${lost - lostBefore} leases lost, not ${frozen.length}; it logged:\n` +
              frozenNode
                .tail(100_000)
                .split('\n')
                .filter((line) => /lease|handing|dropping/.test(line))
                .slice(-30)
                .join('\n'),
          );
        },
        60_000,
        'the resumed node dropping its lost sessions',
      );
      expect(replaced.length).toBe(replacedBefore);
      for (const [i, s] of frozen.entries()) {
        await waitFor(
          () => db.messages.getByWaid(s.id, `${contactNumber}@s.whatsapp.net`, waids[i] as string),
          30_000,
          'inbound sent while the node was frozen',
        );
      }
      // the session works from its new owner, through the node that was frozen
      const target = frozen[0] as { id: string };
      const res = await retryWhileMoving(() =>
        fetch(`${frozenNode.baseUrl}/v1/sessions/${target.id}/messages`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${adminKey}`,
            'content-type': 'application/json',
            'idempotency-key': 'after-the-freeze',
          },
          body: JSON.stringify({ type: 'text', to: contactNumber, text: 'after the freeze' }),
        }),
      );
      expect(res.status).toBe(202);
      const { waid } = (await res.json()) as { waid: string };
      await contact.waitForMessage((m) => m.id === waid && !m.ownCopy, { timeoutMs: 30_000 });
      expect(replaced.length).toBe(replacedBefore);
      const frozenDevices = new Set(frozen.map((s) => s.deviceJid));
      console.log(
        `multinode: freeze, ${frozen.length} sessions moved; dead-peer drops: ` +
          `${dropped.filter((d) => frozenDevices.has(d)).length} of the frozen node, ` +
          `${dropped.filter((d) => !frozenDevices.has(d)).length} of live nodes`,
      );
    } finally {
      sim.detectDeadPeers(false);
      frozenNode.signal('SIGCONT');
    }

    // over the whole run (pairing, joins, kill -9, rolling restart, the freeze): every write of
    // auth state came from the node holding the session's lease at that moment
    const writers = await db.sql.query<{ app: string; holder: string | null; writes: string }>(
      `SELECT "app", "holder", count(*) AS "writes" FROM "authAudit" GROUP BY "app", "holder" ORDER BY 1, 2`,
    );
    expect(writers.map((w) => w.app)).toEqual(
      expect.arrayContaining([0, 1, 2].map((i) => `zapgate ${nodeId(i)}`)),
    );
    expect(writers.filter((w) => w.app !== `zapgate ${w.holder}`)).toEqual([]);
  }, 300_000);
});

/** A node's own value of a `node`-labelled counter or gauge on its `/metrics`. */
async function metric(node: ServerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${node.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** Retries a request answered `503` (a session between nodes) until it is not, at most a minute. */
async function retryWhileMoving(request: () => Promise<Response>): Promise<Response> {
  return waitFor(
    async () => {
      const res = await request();
      if (res.status !== 503) return res;
      await res.body?.cancel();
      return null;
    },
    60_000,
    'the session to settle on a node',
  );
}

/**
 * Records every write of Baileys auth state (creds and Signal keys) with the writing node — the
 * connection's `application_name` — and the session's lease holder at that moment (a fenced write
 * holds the lease row, so no takeover commits between its check and this record).
 */
async function auditAuthWrites(store: PostgresStore): Promise<void> {
  await store.sql.query(`CREATE TABLE "authAudit" ("app" text, "sessionId" uuid, "holder" text,
    "at" timestamptz NOT NULL DEFAULT clock_timestamp())`);
  await store.sql.query(`CREATE FUNCTION "auditAuth"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO "authAudit" ("app", "sessionId", "holder")
      SELECT DISTINCT current_setting('application_name'), c."sessionId", l."nodeId"
      FROM changed c LEFT JOIN "sessionLeases" l ON l."sessionId" = c."sessionId";
      RETURN NULL;
    END $$`);
  for (const table of ['authCreds', 'authKeys']) {
    for (const [event, rows] of [
      ['INSERT', 'NEW'],
      ['UPDATE', 'NEW'],
      ['DELETE', 'OLD'],
    ]) {
      await store.sql.query(
        `CREATE TRIGGER "audit_${table}_${event}" AFTER ${event} ON "${table}"
         REFERENCING ${rows} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION "auditAuth"()`,
      );
    }
  }
}
