import { createHmac } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { definePlugin, defineRoute, GatewayError } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './fixtures.js';

const SECRET = 'callback-secret';
const received: { body: unknown; raw: string }[] = [];
const sign = (timestamp: string, body: string) =>
  createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');

const callback = defineRoute({
  method: 'POST',
  path: '/signed/callback',
  operationId: 'signedCallback',
  summary: 'A signed callback',
  auth: 'public',
  rawBody: true,
  limits: { bodyBytes: 200, perMinute: 4 },
  schema: { body: Type.Object({ event: Type.String() }), response: { 204: Type.Null() } },
  verify(request) {
    const timestamp = request.headers['x-timestamp'] ?? '';
    const expected = sign(timestamp, request.rawBody?.toString('utf8') ?? '');
    if (request.headers['x-signature'] !== expected)
      throw new GatewayError('SIGNED_BAD_SIGNATURE', 'Bad signature', { statusCode: 401 });
  },
  async handler(request) {
    received.push({ body: request.body, raw: request.rawBody?.toString('utf8') ?? '' });
    return { status: 204 };
  },
});

const signed = definePlugin({ id: 'signed', version: '1.0.0', routes: [callback] });

describe('plugin route options: raw body, verification, limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer({ plugins: [signed] });
  });
  afterAll(() => t?.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/signed/callback',
      headers: { 'content-type': 'application/json', ...headers },
      payload,
    });

  it('hands the exact bytes to verify and the handler, and refuses a bad signature', async () => {
    // spacing a re-serialisation would lose: the HMAC is over the bytes as sent
    const body = '{ "event":  "conversation_created" }';
    const ok = await post(body, { 'x-timestamp': '1700000000', 'x-signature': sign('1700000000', body) });
    expect(ok.statusCode).toBe(204);
    expect(received).toEqual([{ body: { event: 'conversation_created' }, raw: body }]);

    const bad = await post(body, { 'x-timestamp': '1700000001', 'x-signature': sign('1700000000', body) });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ code: 'SIGNED_BAD_SIGNATURE' });
    expect(received).toHaveLength(1);
  });

  it('refuses a body over the route limit with 413, then rate-limits with 429 RATE_LIMITED', async () => {
    const big = JSON.stringify({ event: 'x'.repeat(300) });
    const tooLarge = await post(big, { 'x-timestamp': '1', 'x-signature': sign('1', big) });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ statusCode: 413 });

    // 4 per minute per address, counted before the body is read: 3 so far, one more passes
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await post('{"event":"e"}', { 'x-signature': 'no' })).statusCode);
    expect(statuses).toEqual([401, 429, 429]);
    const limited = await post('{"event":"e"}');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      statusCode: 429,
      code: 'RATE_LIMITED',
      error: 'Too Many Requests',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
