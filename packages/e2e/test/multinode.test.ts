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
 * (the numbers). Leases of 20 s renewed every 2 s: pairing ten sessions at once stalls
 * a node's event loop for several seconds on a busy 2-core box, and a node that cannot renew
 * for a lease time drops its sessions (as it must); the 10 s bound is after lease expiry.
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
  /** Every session connected, each run by a live node whose lease is current. */
  const allRunningOn = async (allowed: string[]) => {
    const current = await owners();
    if (!current.every((o) => o !== null && allowed.includes(o))) return false;
    const rows = await db.sessions.list({ status: ['connected'] });
    return rows.length === SESSIONS;
  };

  beforeAll(async () => {
    const database = await createTestDatabase({ prefix: 'zapgate_nodes' });
    dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-nodes-'));
    databaseUrl = database.url;
    db = postgresStore({ databaseUrl, pool: { max: 4 } });
    await db.init();
    drop = async () => {
      await db.close();
      await database.drop();
    };
    sim = await startSimulator();
    contact = sim.contact(contactNumber, { name: 'Nora' });
    sim.on('login-replaced', (event) => replaced.push(event.deviceJid));
    sim.on('login', (event) => logins.push(event.deviceJid));
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

  it('kill -9 of a node: its sessions connect elsewhere within 10 s of lease expiry, never twice at once, no inbound lost', async () => {
    const victim = nodes[2] as ServerProcess;
    const before = await owners();
    const moved = sessions.filter((_, i) => before[i] === nodeId(2));
    expect(moved.length).toBeGreaterThan(0);
    const replacedBefore = replaced.length;
    const killedAt = Date.now();
    await victim.kill();
    // the phone's contacts write to the moving sessions throughout (WhatsApp keeps what it
    // could not deliver and hands it to the next connection)
    const waids = await Promise.all(
      moved.map((s) => contact.sendText(s.deviceJid, `during failover ${s.id}`)),
    );
    await waitFor(() => allRunningOn([nodeId(0), nodeId(1)]), 60_000, 'every session running on node 0 or 1');
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

  it('a node joining takes its share over gradually: only its share reconnects, never two sockets at once', async () => {
    const loginsBefore = logins.length;
    const replacedBefore = replaced.length;
    await start(2);
    await waitFor(
      async () => {
        const counts = countBy(await owners());
        return [0, 1, 2].every((i) => (counts[nodeId(i)] ?? 0) >= 8 && (counts[nodeId(i)] ?? 0) <= 12);
      },
      120_000,
      'sessions spread over three nodes again',
    );
    await waitFor(() => allRunningOn([nodeId(0), nodeId(1), nodeId(2)]), 60_000, 'all connected');
    const counts = countBy(await owners());
    // the sessions that moved to node 2 logged in once each; nobody else reconnected
    expect(logins.length - loginsBefore).toBe(counts[nodeId(2)]);
    expect(replaced.length).toBe(replacedBefore);
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
          if (res && res.status !== 503) throw new Error(`send ${n}: ${res.status} ${await res.text()}`);
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
    for (const { waid } of sent) {
      await contact.waitForMessage((m) => m.id === waid && !m.ownCopy, { timeoutMs: 60_000 });
    }
    const failed = await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM "messages" WHERE "isFromMe" AND "status" = 'failed' AND "content"->>'text' LIKE 'loop %'`,
    );
    expect(Number(failed[0]?.n)).toBe(0);
    const copies = contact.received.filter((m) => !m.ownCopy && sent.some((s) => s.waid === m.id));
    expect(copies).toHaveLength(sent.length);
    console.log(`multinode: rolling restart, ${sent.length} sends (${attempts} attempts), 0 failed`);
  }, 900_000);
});
