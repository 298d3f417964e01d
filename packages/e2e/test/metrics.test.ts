import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhooks } from '@zapgate/plugin-webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairOverHttp, type ServerStack, startServerStack } from './server-stack.js';
import { waitFor } from './stack.js';

/** Samples of a Prometheus text scrape: name → label sets with their value. */
function parse(text: string): Map<string, Array<{ labels: Record<string, string>; value: number }>> {
  const samples = new Map<string, Array<{ labels: Record<string, string>; value: number }>>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    const list = samples.get(match[1] as string) ?? [];
    list.push({ labels: labels as Record<string, string>, value: Number(match[3]) });
    samples.set(match[1] as string, list);
  }
  return samples;
}

describe('/metrics for an operator (Postgres, real Baileys on wa-sim)', () => {
  let stack: ServerStack;
  let receiver: Server;
  let sessionId: string;
  let deviceJid: string;

  const scrape = async () => {
    const response = await fetch(`${stack.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    return parse(await response.text());
  };
  const value = (samples: Awaited<ReturnType<typeof scrape>>, name: string, labels: Record<string, string>) =>
    samples.get(name)?.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(204).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stack = await startServerStack('postgres', {
      server: { plugins: [webhooks({ allowlist: ['127.0.0.1/32'] })] },
    });
    const paired = await pairOverHttp(stack, 'metrics', '15553330001');
    sessionId = paired.id;
    deviceJid = paired.session.deviceJid;
    const hook = await stack.api('POST', `/v1/sessions/${sessionId}/webhooks`, {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      events: ['message.*'],
    });
    expect(hook.status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
    receiver?.close();
  });

  it('reports sessions by status, messages by type, send failures by code, consumer lag and webhook latency', async () => {
    const alice = stack.sim.contact('15553330002', { name: 'Alice' });
    const before = await scrape();
    // every status is listed, 0 included, so `zapgate_sessions{status="failed"} > 0` can alert
    expect(value(before, 'zapgate_sessions', { status: 'connected' })).toBe(1);
    for (const status of ['disconnected', 'connecting', 'qr', 'logged_out', 'failed'])
      expect(value(before, 'zapgate_sessions', { status })).toBe(0);

    const sent = await stack.api('POST', `/v1/sessions/${sessionId}/messages`, {
      type: 'text',
      to: '15553330002',
      text: 'hello',
    });
    expect(sent.status).toBe(202);
    await alice.sendText(deviceJid, 'hi back');
    await waitFor(
      async () => {
        const page = await stack.api('GET', `/v1/sessions/${sessionId}/messages?limit=5`);
        return page.body.items.some((m: { isFromMe: boolean }) => !m.isFromMe) &&
          page.body.items.some(
            (m: { status: string; isFromMe: boolean }) => m.isFromMe && m.status !== 'pending',
          )
          ? true
          : null;
      },
      30_000,
      'the sent and the received message',
    );

    // WhatsApp refuses the next send (ack error 479): a failure with its code
    stack.sim.failSends(deviceJid, '479');
    const refused = await stack.api('POST', `/v1/sessions/${sessionId}/messages`, {
      type: 'text',
      to: '15553330002',
      text: 'refused',
    });
    expect(refused.status).toBe(202);
    const after = await waitFor(
      async () => {
        const samples = await scrape();
        const delivered = value(samples, 'zapgate_webhook_delivery_duration_seconds_count', {});
        const lag = value(samples, 'zapgate_event_consumer_lag', { consumer: 'plugin:webhooks' });
        const refusals = value(samples, 'zapgate_send_failures_total', { code: 'WHATSAPP_ACK_479' });
        return delivered && delivered >= 3 && lag === 0 && refusals ? samples : null;
      },
      30_000,
      'webhook deliveries and a drained consumer',
    );
    // both sends reached WhatsApp; the second was then refused
    expect(value(after, 'zapgate_messages_sent_total', { type: 'text' })).toBe(2);
    expect(value(after, 'zapgate_messages_received_total', { type: 'text' })).toBe(1);
    expect(value(after, 'zapgate_send_failures_total', { code: 'WHATSAPP_ACK_479' })).toBe(1);
    expect(value(after, 'zapgate_event_consumer_lag', { consumer: 'plugin:webhooks' })).toBe(0);
    expect(value(after, 'zapgate_webhook_delivery_duration_seconds_sum', {})).toBeGreaterThan(0);

    // a session another client took over ends failed: visible on the next scrape
    stack.sim.replaceConnection(deviceJid);
    const dropped = await waitFor(
      async () => {
        const samples = await scrape();
        return value(samples, 'zapgate_sessions', { status: 'failed' }) === 1 ? samples : null;
      },
      30_000,
      'the failed session in the gauge',
    );
    expect(value(dropped, 'zapgate_sessions', { status: 'connected' })).toBe(0);
  });
});
