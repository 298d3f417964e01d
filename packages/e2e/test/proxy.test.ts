import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startConnectProxy } from './connect-proxy.js';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

// The proxy is a property of the socket, not of storage: one backend is enough.
describe('per-session proxy (real Baileys through a local CONNECT proxy)', () => {
  let stack: ServerStack;
  let proxy: ConnectProxy;
  let simHost: string;

  beforeAll(async () => {
    // the proxy listens on loopback: allowed the way an operator would (ZAPGATE_ALLOW_PRIVATE_URLS)
    stack = await startServerStack('pglite', { allowPrivateUrls: ['127.0.0.1'] });
    proxy = await startConnectProxy();
    simHost = new URL(stack.sim.url).host;
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
  });

  it('pairs a session with proxyUrl by QR with its WhatsApp socket tunnelled through the proxy', async () => {
    const { id, session } = await pairOverHttp(stack, 'proxied', '15552220001', { proxyUrl: proxy.url });
    expect(session).toMatchObject({ status: 'connected', proxyUrl: proxy.url, phoneNumber: '15552220001' });
    // One socket showed the QR; after pairing Baileys restarts it (515) and logs in on a second.
    expect(proxy.connects.length).toBeGreaterThanOrEqual(2);
    expect(new Set(proxy.connects)).toEqual(new Set([simHost]));
    expect(proxy.plainRequests).toEqual([]);

    // The tunnelled socket carries traffic both ways.
    const alice = stack.sim.contact('15552229999', { name: 'Alice' });
    const waid = await alice.sendText(session.deviceJid, 'through the proxy');
    const stored = await waitFor(
      () => stack.store.messages.getByWaid(id, '15552229999@s.whatsapp.net', waid),
      20_000,
      'inbound message',
    );
    expect(stored.content).toEqual({ text: 'through the proxy' });
    const sent = await stack.api('POST', `/v1/sessions/${id}/messages`, {
      type: 'text',
      to: '15552229999',
      text: 'reply via proxy',
    });
    expect(sent.status).toBe(202);
    const got = await alice.waitForMessage((m) => m.id === sent.body.waid && !m.ownCopy, {
      timeoutMs: 20_000,
    });
    expect(got.message.conversation ?? got.message.extendedTextMessage?.text).toBe('reply via proxy');
  });

  it('does not route a session without proxyUrl through the proxy', async () => {
    const before = proxy.connects.length;
    const { session } = await pairOverHttp(stack, 'direct', '15552220002');
    expect(session).toMatchObject({ status: 'connected', proxyUrl: null });
    expect(proxy.connects.length).toBe(before);
  });
});
