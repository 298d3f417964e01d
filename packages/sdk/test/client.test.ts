import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createZapgateClient } from '../src/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: ReturnType<typeof createServer>[] = [];

/** A real HTTP server on loopback answering with `handler`; records every request. */
async function serve(handler: Handler) {
  const requests: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers });
      handler(req, res, Buffer.concat(chunks).toString());
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const unavailable = { statusCode: 503, code: 'NOT_READY', error: 'Service Unavailable', message: 'starting' };

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('createZapgateClient', () => {
  it('retries an idempotent GET on 503 and returns the eventual answer', async () => {
    let calls = 0;
    const { baseUrl, requests } = await serve((_req, res) =>
      ++calls < 3 ? json(res, 503, unavailable) : json(res, 200, { items: [] }),
    );
    const zg = createZapgateClient({ baseUrl, apiKey: 'key', retry: { minDelayMs: 1, maxDelayMs: 5 } });
    const { data, error } = await zg.sessions.list();
    expect(error).toBeUndefined();
    expect(data).toEqual({ items: [] });
    expect(requests).toHaveLength(3);
    expect(requests[0]!.headers.authorization).toBe('Bearer key');
  });

  it('does not retry a POST without an idempotency key, and returns the error typed', async () => {
    const { baseUrl, requests } = await serve((_req, res) => json(res, 503, unavailable));
    const zg = createZapgateClient({ baseUrl, apiKey: 'key', retry: { minDelayMs: 1 } });
    const { data, error, response } = await zg.sessions.create({ name: 'x' });
    expect(data).toBeUndefined();
    expect(response.status).toBe(503);
    expect(error).toEqual(unavailable);
    expect(requests).toHaveLength(1);
  });

  it('sends message sends with an Idempotency-Key, the same on every retry', async () => {
    let calls = 0;
    const { baseUrl, requests } = await serve((req, res) => {
      if (++calls === 1) return req.socket.destroy(); // a network error
      json(res, 202, { id: 'm1', status: 'pending' });
    });
    const zg = createZapgateClient({
      baseUrl,
      apiKey: 'key',
      retry: { minDelayMs: 1 },
      idempotencyKey: () => 'fixed-key',
    });
    const { response } = await zg.messages.sendText('s1', '15550002222', 'hi');
    expect(response.status).toBe(202);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual(['fixed-key', 'fixed-key']);
    expect(requests[1]!.url).toBe('/v1/sessions/s1/messages');
  });

  it('resumes the event stream with Last-Event-ID after the connection drops', async () => {
    const frame = (id: string) =>
      `id: ${id}\nevent: message.received\ndata: ${JSON.stringify({ id, type: 'message.received', sessionId: null, occurredAt: '2026-01-01T00:00:00.000Z', data: {} })}\n\n`;
    let connections = 0;
    const { baseUrl, requests } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (++connections === 1) return res.end(`: connected\n\n${frame('01A')}${frame('01B')}`);
      res.write(frame('01C'));
    });
    const zg = createZapgateClient({ baseUrl, apiKey: 'key' });
    const controller = new AbortController();
    const ids: string[] = [];
    for await (const event of zg.events.stream({ types: ['message.*'], signal: controller.signal })) {
      ids.push(event.id);
      if (ids.length === 3) controller.abort();
    }
    expect(ids).toEqual(['01A', '01B', '01C']);
    expect(requests[0]!.url).toBe('/v1/events?types=message.*');
    expect(requests[0]!.headers['last-event-id']).toBeUndefined();
    expect(requests[1]!.headers['last-event-id']).toBe('01B');
  });
});
