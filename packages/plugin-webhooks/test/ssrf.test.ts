import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { outgoingPolicy } from '@zapgate/core';
import { waitFor } from '@zapgate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from '../src/index.js';
import { type Harness, loopbackAllowlist, Receiver, startHarness } from './helpers.js';

/** Resolves `*.rebind.test` to loopback, the way a hostile DNS server would. */
const rebindingLookup: LookupFunction = (hostname, options, callback) => {
  if (!hostname.endsWith('.rebind.test')) return dns.lookup(hostname, options, callback);
  const address = '127.0.0.1';
  if (options.all)
    (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family: 4 }]);
  else callback(null, address, 4);
};

describe('SSRF protection at connect time', () => {
  let receiver: Receiver;
  let strict: HttpClient;
  const post = (client: HttpClient, url: string) =>
    client.post({ url, body: '{}', headers: {}, timeoutMs: 2000, maxResponseBytes: 1024 });

  beforeAll(async () => {
    receiver = await new Receiver().listen();
    strict = createHttpClient(outgoingPolicy({ lookup: rebindingLookup }));
  });
  afterAll(async () => {
    strict.close();
    await receiver.close();
  });

  it.each([
    ['loopback', () => receiver.url],
    ['10/8', () => 'http://10.1.2.3:80/'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', () => 'http://[::1]:80/'],
    ['IPv4-mapped IPv6 loopback', () => 'http://[::ffff:127.0.0.1]:80/'],
    ['localhost by name', () => receiver.url.replace('127.0.0.1', 'localhost')],
    ['a name resolving to loopback', () => receiver.url.replace('127.0.0.1', 'evil.rebind.test')],
  ])('refuses %s', async (_label, url) => {
    await expect(post(strict, url())).rejects.toThrow(/not allowed/);
    expect(receiver.requests).toHaveLength(0);
  });

  it('lets allowlisted addresses through, by address and by name', async () => {
    const allowed = createHttpClient(outgoingPolicy({ allow: loopbackAllowlist, lookup: rebindingLookup }));
    const named = createHttpClient(outgoingPolicy({ allow: ['evil.rebind.test'], lookup: rebindingLookup }));
    try {
      expect((await post(allowed, receiver.url)).status).toBe(200);
      expect((await post(named, receiver.url.replace('127.0.0.1', 'evil.rebind.test'))).status).toBe(200);
      await expect(post(named, receiver.url)).rejects.toThrow(/not allowed/);
    } finally {
      allowed.close();
      named.close();
      receiver.requests.length = 0;
    }
  });

  it('reads at most maxResponseBytes of a response and times out hanging ones', async () => {
    const client = createHttpClient(outgoingPolicy({ allowPrivate: true }));
    try {
      receiver.respond = () => ({ status: 200, body: 'x'.repeat(100_000) });
      const big = await client.post({
        url: receiver.url,
        body: '{}',
        headers: {},
        timeoutMs: 2000,
        maxResponseBytes: 1000,
      });
      expect(big).toMatchObject({ status: 200, truncated: true });
      expect(big.body).toHaveLength(1000);
      receiver.respond = () => ({ status: 200, hang: true });
      await expect(
        client.post({ url: receiver.url, body: '{}', headers: {}, timeoutMs: 200, maxResponseBytes: 10 }),
      ).rejects.toThrow(/timeout|aborted/i);
    } finally {
      client.close();
      receiver.respond = () => ({ status: 200 });
      receiver.requests.length = 0;
    }
  });
});

describe('SSRF protection in the plugin (allowlist off)', () => {
  let h: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await new Receiver().listen();
    h = await startHarness(undefined, { allowlist: [], retrySchedule: [] });
  });
  afterAll(async () => {
    await h?.stop();
    await receiver.close();
  });

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]:8080/hook',
    'http://localhost:8080/hook',
    'ftp://example.com/hook',
  ])('refuses to create a subscription to %s', async (url) => {
    const reply = await h.call('POST', '/webhooks', { body: { url } });
    expect(reply).toMatchObject({
      status: 400,
      body: { statusCode: 400, code: 'WEBHOOKS_URL_NOT_ALLOWED', error: 'Bad Request' },
    });
    const list = await h.call('GET', '/webhooks');
    expect(list.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses to connect when a stored URL resolves to a private address (DNS rebinding)', async () => {
    // A URL that passed validation with a public address and now resolves to loopback.
    const url = receiver.url.replace('127.0.0.1', 'localhost');
    const id = crypto.randomUUID();
    await h.store.sql.query(
      `INSERT INTO "webhookSubscriptions" ("id", "url", "endpoint", "events", "secret") VALUES (?, ?, ?, '[]', ?)`,
      [id, url, new URL(url).origin, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    );
    await h.emit('chat.deleted', null, { chatJid: 'x@s.whatsapp.net' });
    const delivery = await waitFor(async () => {
      const reply = await h.call('GET', `/webhooks/${id}/deliveries`);
      return reply.body.items[0]?.status === 'failed' ? reply.body.items[0] : null;
    });
    expect(delivery.lastError).toMatch(/not allowed/);
    expect(delivery.lastStatusCode).toBeNull();
    expect(receiver.requests).toHaveLength(0);
  });
});
