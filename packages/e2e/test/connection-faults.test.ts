import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerStack, startServerStack, waitForStatus } from './server-stack.js';
import { waitFor } from './stack.js';

/** A peer that reads the first bytes (a TLS ClientHello, a CONNECT, a SOCKS greeting) and resets. */
async function startResettingPeer() {
  const sockets = new Set<net.Socket>();
  let hits = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      hits++;
      socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    hits: () => hits,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Real Baileys dialling through a proxy that is not one: every socket error must end in a
// session status, never in an unhandled 'error' that takes the process (and its tenants) down.
describe('a session whose proxy resets the connection (real Baileys)', () => {
  let stack: ServerStack;
  let peer: Awaited<ReturnType<typeof startResettingPeer>>;

  beforeAll(async () => {
    peer = await startResettingPeer();
    stack = await startServerStack('postgres', { allowPrivateUrls: ['127.0.0.1'] });
  });
  afterAll(async () => {
    await stack?.close();
    await peer?.close();
  });

  it.each(['https', 'http', 'socks5'])(
    'a %s proxy that resets ends in a status with the reason, then failed, and the process lives',
    async (scheme) => {
      const created = await stack.api('POST', '/v1/sessions', {
        name: `reset-${scheme}`,
        proxyUrl: `${scheme}://127.0.0.1:${peer.port}`,
      });
      expect(created.status).toBe(201);
      const { id } = created.body;
      const before = peer.hits();
      expect((await stack.api('POST', `/v1/sessions/${id}/connect`)).status).toBe(200);
      await waitFor(() => peer.hits() > before, 10_000, 'the proxy was dialled');
      const failed = await waitForStatus(stack, id, 'failed', 60_000);
      expect(failed.statusReason).toMatch(/proxy|socket|reset|ECONNRESET|closed/i);
      // the server still answers everyone
      expect((await stack.api('GET', '/v1/sessions')).status).toBe(200);
    },
  );

  it('boots with such a session stored as connecting without crash-looping', async () => {
    const created = await stack.api('POST', '/v1/sessions', {
      name: 'reset-boot',
      proxyUrl: `https://127.0.0.1:${peer.port}`,
    });
    const { id } = created.body;
    await stack.store.sessions.update(id, { status: 'connecting' });
    const before = peer.hits();
    await stack.restart();
    await waitFor(() => peer.hits() > before, 10_000, 'boot dialled the proxy');
    const failed = await waitForStatus(stack, id, 'failed', 60_000);
    expect(failed.statusReason).toBeTruthy();
    expect((await stack.api('GET', '/health/live')).status).toBe(200);
  });
});
