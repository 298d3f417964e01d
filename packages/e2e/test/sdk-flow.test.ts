import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { baileysConnector } from '@zapgate/core/baileys';
import { waitFor } from '@zapgate/core/testing';
import { webhooks } from '@zapgate/plugin-webhooks';
import {
  createZapgateClient,
  isMessageReceived,
  isMessageStatus,
  verifyWebhook,
  type ZapgateClient,
  type ZapgateEvent,
} from '@zapgate/sdk';
import { buildServer, type ZapgateServer } from '@zapgate/server';
import { postgresStore } from '@zapgate/store-postgres';
import { type Simulator, startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A webhook receiver on loopback that keeps raw bodies and headers. */
function receiver() {
  const deliveries: { body: string; headers: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers as Record<string, string>,
      });
      res.writeHead(204).end();
    });
  });
  return { server, deliveries };
}

describe('the SDK against a real server (PGlite, real Baileys on wa-sim)', () => {
  let sim: Simulator;
  let untrust: () => void;
  let app: ZapgateServer;
  let zg: ZapgateClient;
  let hook: ReturnType<typeof receiver>;
  let hookUrl: string;
  const adminKey = `zga_${randomBytes(24).toString('base64url')}`;

  beforeAll(async () => {
    sim = await startSimulator();
    untrust = trustSimulatorRoot(sim);
    hook = receiver();
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hook`;
    app = buildServer({
      adminKey,
      logger: false,
      docs: false,
      store: postgresStore({ dataDir: 'memory://' }),
      connector: baileysConnector(sim.baileysConfig()),
      plugins: [webhooks({ allowlist: ['127.0.0.1/32'] })],
      tuning: { events: { pollIntervalMs: 50 }, jobs: { pollIntervalMs: 50 } },
    });
    const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    zg = createZapgateClient({ baseUrl, apiKey: adminKey });
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
    untrust?.();
    hook?.server.close();
  });

  it('creates, pairs, streams, sends to read and verifies a webhook — through the SDK only', async () => {
    const { data: session, error } = await zg.sessions.create({ name: 'sdk-flow' });
    expect(error).toBeUndefined();
    const sessionId = session!.id;
    expect(session!.apiKey.startsWith('zgs_')).toBe(true);

    const { data: subscription } = await zg.api.POST('/v1/sessions/{sessionId}/webhooks', {
      params: { path: { sessionId } },
      body: { url: hookUrl, events: ['message.*'] },
    });
    const secret = subscription!.secret;
    expect(secret.startsWith('whsec_')).toBe(true);

    const controller = new AbortController();
    const seen: ZapgateEvent[] = [];
    const streaming = (async () => {
      for await (const event of zg.events.stream({
        sessionId,
        types: ['session.*', 'message.*'],
        signal: controller.signal,
      })) {
        seen.push(event);
      }
    })();

    await zg.sessions.connect(sessionId);
    const qr = await waitFor(async () => (await zg.sessions.qr(sessionId)).data);
    expect(qr.dataUrl.startsWith('data:image/png;base64,')).toBe(true);
    const phone = await sim.scanQr(qr.qr, { phoneNumber: '15557770001' });
    await waitFor(async () =>
      (await zg.sessions.get(sessionId)).data?.status === 'connected' ? true : undefined,
    );

    const alice = sim.contact('15557770002', { name: 'Alice' });
    const waid = await alice.sendText(phone.deviceJid, 'hello SDK');
    const received = await waitFor(() =>
      seen.find((e) => isMessageReceived(e) && e.data.message.waid === waid),
    );
    expect(isMessageReceived(received) && received.data.message.content).toEqual({ text: 'hello SDK' });

    const { data: sent, response } = await zg.messages.sendText(sessionId, '15557770002', 'hi Alice');
    expect(response.status).toBe(202);
    await alice.waitForMessage((m) => m.id === sent!.waid, { timeoutMs: 20_000 });
    await waitFor(() =>
      seen.find((e) => isMessageStatus(e) && e.data.messageId === sent!.id && e.data.status === 'read'),
    );
    expect((await zg.messages.get(sessionId, sent!.id)).data?.status).toBe('read');

    const delivery = await waitFor(() => hook.deliveries.find((d) => d.body.includes(waid)));
    const event = verifyWebhook(delivery.body, delivery.headers, secret);
    expect(event.type).toBe('message.received');
    expect(event.id).toBe(delivery.headers['webhook-id']);
    expect(isMessageReceived(event) && event.data.message.senderName).toBe('Alice');
    expect(() => verifyWebhook(delivery.body.replace('hello', 'HELLO'), delivery.headers, secret)).toThrow(
      /signature/i,
    );

    controller.abort();
    await streaming;
  });

  it('types errors as the server error shape on a 404 and a 400', async () => {
    const missing = await zg.sessions.get('00000000-0000-4000-8000-000000000000');
    expect(missing.data).toBeUndefined();
    expect(missing.response.status).toBe(404);
    expect(missing.error?.code).toBe('SESSION_NOT_FOUND');
    const bad = await zg.sessions.create({ name: '' });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', error: 'Bad Request' });
  });
});
