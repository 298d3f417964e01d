import { createServer } from 'node:net';
import { type FakeConnector, fakeConnector, waitFor } from '@zapgate/core/testing';
import { postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type ZapgateServer } from '../src/index.js';
import { admin, adminKey } from './fixtures.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Two server nodes on one Postgres, each with its own fake connector, over real HTTP. */
describe('two server nodes on one Postgres', () => {
  let drop: () => Promise<void>;
  const nodes: { app: ZapgateServer; fake: FakeConnector; url: string }[] = [];

  beforeAll(async () => {
    const database = await createTestDatabase({ prefix: 'zapgate_server_nodes' });
    drop = database.drop;
    for (const id of ['node-a', 'node-b']) {
      const fake = fakeConnector({ autoOpen: true });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const app = buildServer({
        adminKey,
        store: postgresStore({ databaseUrl: database.url, pool: { max: 3 } }),
        connector: fake,
        plugins: [],
        logger: false,
        instanceId: id,
        nodeUrl: url,
        tuning: { cluster: { leaseMs: 5000, heartbeatMs: 200 }, boot: { staggerMs: 0 } },
      });
      await app.listen({ port, host: '127.0.0.1' });
      nodes.push({ app, fake, url });
    }
  });
  afterAll(async () => {
    for (const node of nodes) await node.app.close();
    await drop?.();
  });

  const call = (node: number, method: string, path: string, body?: unknown) =>
    fetch(`${nodes[node]?.url}${path}`, {
      method,
      headers: { ...admin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('forwards a request for a session to the node that runs it; its answer comes back as is', async () => {
    const created = (await (await call(0, 'POST', '/v1/sessions', { name: 'fwd' })).json()) as {
      id: string;
      ownerNode: string | null;
    };
    // nobody runs a session that was never connected
    expect(created.ownerNode).toBeNull();
    const connected = await call(0, 'POST', `/v1/sessions/${created.id}/connect`);
    expect(connected.headers.get('x-zapgate-node')).toBe('node-a');
    expect(((await connected.json()) as { ownerNode: string }).ownerNode).toBe('node-a');
    await waitFor(
      async () =>
        ((await (await call(1, 'GET', `/v1/sessions/${created.id}`)).json()) as { status: string }).status ===
        'connected',
    );

    const sent = await call(1, 'POST', `/v1/sessions/${created.id}/messages`, {
      type: 'text',
      to: '15551230000',
      text: 'through b',
    });
    expect(sent.status).toBe(202);
    expect(sent.headers.get('x-zapgate-node')).toBe('node-a');
    // every node shows who runs the session
    const read = await call(1, 'GET', `/v1/sessions/${created.id}`);
    expect(((await read.json()) as { ownerNode: string }).ownerNode).toBe('node-a');
    const listed = (await (await call(1, 'GET', '/v1/sessions')).json()) as {
      items: { id: string; ownerNode: string | null }[];
    };
    expect(listed.items.map((s) => [s.id, s.ownerNode])).toEqual([[created.id, 'node-a']]);
    await waitFor(() => nodes[0]?.fake.session(created.id).sends.length === 1);
    expect(nodes[1]?.fake.connectCount(created.id)).toBe(0);

    // the owner's validation and error codes, whichever node is asked
    const badBody = { type: 'text', to: 'x', text: 'y' };
    const direct = await call(0, 'POST', `/v1/sessions/${created.id}/messages`, badBody);
    const bad = await call(1, 'POST', `/v1/sessions/${created.id}/messages`, badBody);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-zapgate-node')).toBe('node-a');
    expect(await bad.json()).toEqual(await direct.json());
    // no key, no forwarding: refused by the node asked
    const anonymous = await fetch(`${nodes[1]?.url}/v1/sessions/${created.id}/messages`, { method: 'POST' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-zapgate-node')).toBe('node-b');
  });

  it('lists the nodes with their heartbeats and sessions', async () => {
    const res = await call(1, 'GET', '/v1/admin/nodes');
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: { id: string; url: string; live: boolean; self: boolean; sessions: number }[];
    };
    expect(items.map((n) => [n.id, n.url, n.live, n.self, n.sessions])).toEqual([
      ['node-a', nodes[0]?.url, true, false, 1],
      ['node-b', nodes[1]?.url, true, true, 0],
    ]);
  });
});
