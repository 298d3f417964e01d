import { waitFor } from '@zapgate/core/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backends,
  createTestDatabase,
  type Harness,
  Receiver,
  recordingMetrics,
  startHarness,
} from './helpers.js';

describe.each(backends)('webhook delivery on %s', (backend) => {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
  let h: Harness;
  const receivers: Receiver[] = [];
  let counter = 0;
  const recorded = recordingMetrics();

  const receiver = async () => {
    const r = await new Receiver().listen();
    receivers.push(r);
    return r;
  };
  const session = async () => (await h.gateway.sessions.create({ name: `s${++counter}` })).id;
  // Sessions announce themselves (`session.status`); most tests listen to messages only.
  const subscribe = async (sessionId: string, body: Record<string, unknown>) => {
    const reply = await h.call('POST', `/sessions/${sessionId}/webhooks`, {
      body: { events: ['message.*'], ...body },
    });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; secret: string };
  };
  const deliveries = async (sessionId: string, webhookId: string, query: Record<string, unknown> = {}) =>
    (await h.call('GET', `/sessions/${sessionId}/webhooks/${webhookId}/deliveries`, { query })).body
      .items as {
      id: string;
      status: string;
      attempts: number;
      eventId: string;
      lastStatusCode: number | null;
      lastError: string | null;
    }[];
  const text = (sessionId: string, chatId: string, n: number) =>
    h.emit('message.status', sessionId, {
      messageId: `m${n}`,
      chatId,
      waid: `w${n}`,
      status: 'delivered',
      previous: 'sent',
    });

  beforeAll(async () => {
    if (backend === 'postgres') database = await createTestDatabase();
    h = await startHarness(
      database?.url,
      {
        retrySchedule: [200, 200],
        retryJitter: 0,
        timeoutMs: 3000,
        perEndpointConcurrency: 2,
        circuitBreaker: { failureThreshold: 100, cooldownMs: 1000 },
      },
      { encryptionKey: 'test-encryption-key-of-at-least-32-characters' },
      recorded.metrics,
    );
  });

  afterAll(async () => {
    await h?.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await database?.drop();
  });

  it('signs with Standard Webhooks: verified by the library, webhook-id is the event id, payload is the envelope', async () => {
    const r = await receiver();
    const sessionId = await session();
    const sub = await subscribe(sessionId, { url: `${r.url}/hook`, headers: { 'x-tenant': 'acme' } });
    expect(sub.secret).toMatch(/^whsec_/);
    const event = await text(sessionId, 'chat-1', 1);
    await r.waitFor((reqs) => reqs.length === 1);
    const [req] = r.requests;
    const verified = new Webhook(sub.secret).verify(req!.body, req!.headers as Record<string, string>);
    expect(verified).toEqual({
      id: event.id,
      type: 'message.status',
      sessionId,
      occurredAt: event.occurredAt,
      data: event.data,
    });
    expect(req!.headers['webhook-id']).toBe(event.id);
    expect(req!.headers['x-tenant']).toBe('acme');
    expect(req!.path).toBe('/hook');
    expect(req!.body).not.toContain(sub.secret);
    const [delivery] = await waitFor(async () => {
      const list = await deliveries(sessionId, sub.id);
      return list[0]?.status === 'succeeded' ? list : null;
    });
    expect(delivery).toMatchObject({ eventId: event.id, attempts: 1, lastStatusCode: 200 });
    // the secret is sealed at rest (an encryption key is configured)
    const [row] = await h.store.sql.query<{ secret: string }>(
      'SELECT "secret" FROM "webhookSubscriptions" WHERE "id" = ?',
      [sub.id],
    );
    expect(row!.secret).toMatch(/^enc:v1:/);
    expect(row!.secret).not.toContain(sub.secret.slice(6));
    // metrics are labelled by origin, not by full URL
    expect(recorded.counters.get(`zapgate_webhook_deliveries_total{endpoint=${r.url},result=success}`)).toBe(
      1,
    );
    expect(
      recorded.histograms.get(`zapgate_webhook_delivery_duration_seconds{endpoint=${r.url}}`),
    ).toHaveLength(1);
  });

  it('never shows the secret again and keeps sessions apart', async () => {
    const [a, b] = [await session(), await session()];
    const r = await receiver();
    const sub = await subscribe(a, { url: r.url, events: [] });
    const got = await h.call('GET', `/sessions/${a}/webhooks/${sub.id}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(sub.secret);
    expect(got.body).not.toHaveProperty('secret');
    const list = await h.call('GET', `/sessions/${a}/webhooks`);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    // b's key cannot reach a's webhooks, nor can a's webhook be reached under b's path
    const foreign = await h.call('GET', `/sessions/${a}/webhooks/${sub.id}`, {
      auth: { scope: 'session', sessionId: b },
    });
    expect(foreign.status).toBe(403);
    const crossPath = await h.call('GET', `/sessions/${b}/webhooks/${sub.id}`, {
      auth: { scope: 'session', sessionId: b },
    });
    expect(crossPath).toMatchObject({ status: 404, body: { code: 'WEBHOOKS_SUBSCRIPTION_NOT_FOUND' } });
    expect((await h.call('GET', `/webhooks/${sub.id}`)).status).toBe(404);
    expect((await h.call('DELETE', `/sessions/${a}/webhooks/${sub.id}`)).status).toBe(204);
  });

  it('filters by event type with wildcards, per session, and global subscriptions see every session', async () => {
    const [a, b] = [await session(), await session()];
    const ra = await receiver();
    const rb = await receiver();
    const rg = await receiver();
    await subscribe(a, { url: ra.url, events: ['message.*'] });
    await subscribe(b, { url: rb.url, events: ['chat.deleted'] });
    const global = await h.call('POST', '/webhooks', {
      body: { url: rg.url, events: ['chat.*', 'message.status'] },
    });
    expect(global.status).toBe(201);
    await text(a, 'c', 1); // a: message.* ✓, global ✓
    await h.emit('chat.deleted', a, { chatJid: 'x@s.whatsapp.net' }); // a ✗, global ✓
    await text(b, 'c', 2); // b ✗, global ✓
    await h.emit('chat.deleted', b, { chatJid: 'y@s.whatsapp.net' }); // b ✓, global ✓
    await h.emit('contact.upserted', b, { contact: {} as never }); // nobody
    await rg.waitFor((reqs) => reqs.length === 4);
    await ra.waitFor((reqs) => reqs.length === 1);
    await rb.waitFor((reqs) => reqs.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ra.requests.map((q) => q.json.type)).toEqual(['message.status']);
    expect(rb.requests.map((q) => [q.json.type, q.json.sessionId])).toEqual([['chat.deleted', b]]);
    expect(rg.requests.map((q) => q.json.type).sort()).toEqual([
      'chat.deleted',
      'chat.deleted',
      'message.status',
      'message.status',
    ]);
    expect((await h.call('DELETE', `/webhooks/${global.body.id}`)).status).toBe(204);
  });

  it('retries 5xx, honours Retry-After, and does not retry other 4xx', async () => {
    const sessionId = await session();
    const r = await receiver();
    let calls = 0;
    r.respond = () => (++calls === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 });
    const sub = await subscribe(sessionId, { url: r.url });
    await text(sessionId, 'c', 1);
    await r.waitFor((reqs) => reqs.length === 2);
    // the schedule says 200ms; Retry-After said 1s
    expect(r.requests[1]!.at - r.requests[0]!.at).toBeGreaterThanOrEqual(900);
    expect(r.requests[1]!.headers['webhook-id']).toBe(r.requests[0]!.headers['webhook-id']);
    await waitFor(async () => (await deliveries(sessionId, sub.id))[0]?.status === 'succeeded');

    const r400 = await receiver();
    r400.respond = () => ({ status: 400, body: 'bad payload' });
    const sub400 = await subscribe(sessionId, { url: r400.url, events: ['chat.deleted'] });
    await h.emit('chat.deleted', sessionId, { chatJid: 'z@s.whatsapp.net' });
    const [failed] = await waitFor(async () => {
      const list = await deliveries(sessionId, sub400.id);
      return list[0]?.status === 'failed' ? list : null;
    });
    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 400, lastError: 'HTTP 400: bad payload' });
    expect(r400.requests).toHaveLength(1);
  });

  it('fails after the last attempt, then redelivers with the same webhook-id', async () => {
    const sessionId = await session();
    const r = await receiver();
    r.respond = () => ({ status: 500 });
    const sub = await subscribe(sessionId, { url: r.url });
    const event = await text(sessionId, 'c', 1);
    const [failed] = await waitFor(async () => {
      const list = await deliveries(sessionId, sub.id, { status: 'failed' });
      return list.length === 1 ? list : null;
    });
    expect(failed).toMatchObject({ attempts: 3, lastStatusCode: 500, eventId: event.id });
    expect(r.requests).toHaveLength(3);

    r.respond = () => ({ status: 200 });
    const one = await h.call(
      'POST',
      `/sessions/${sessionId}/webhooks/${sub.id}/deliveries/${failed!.id}/redeliver`,
    );
    expect(one).toMatchObject({ status: 202, body: { id: failed!.id, status: 'pending', attempts: 0 } });
    await r.waitFor((reqs) => reqs.length === 4);
    expect(r.requests[3]!.headers['webhook-id']).toBe(event.id);
    await waitFor(async () => (await deliveries(sessionId, sub.id))[0]?.status === 'succeeded');

    // redeliver-failed queues every failed delivery (and only those)
    r.respond = () => ({ status: 500 });
    await text(sessionId, 'c', 2);
    await text(sessionId, 'c', 3);
    await waitFor(async () => (await deliveries(sessionId, sub.id, { status: 'failed' })).length === 2).catch(
      async (error: Error) => {
        const seen = (await deliveries(sessionId, sub.id)).map((d) => [d.status, d.attempts, d.lastError]);
        throw new Error(
          `${error.message}: deliveries ${JSON.stringify(seen)}, ${r.requests.length} requests`,
        );
      },
    );
    r.respond = () => ({ status: 200 });
    const all = await h.call('POST', `/sessions/${sessionId}/webhooks/${sub.id}/redeliver-failed`);
    expect(all).toMatchObject({ status: 202, body: { count: 2 } });
    await waitFor(async () => (await deliveries(sessionId, sub.id, { status: 'succeeded' })).length === 3);
    const missing = await h.call(
      'POST',
      `/sessions/${sessionId}/webhooks/${sub.id}/deliveries/${crypto.randomUUID()}/redeliver`,
    );
    expect(missing).toMatchObject({ status: 404, body: { code: 'WEBHOOKS_DELIVERY_NOT_FOUND' } });
  });

  it('disables the subscription on 410 Gone', async () => {
    const sessionId = await session();
    const r = await receiver();
    r.respond = () => ({ status: 410 });
    const sub = await subscribe(sessionId, { url: r.url });
    await text(sessionId, 'c', 1);
    const got = await waitFor(async () => {
      const reply = await h.call('GET', `/sessions/${sessionId}/webhooks/${sub.id}`);
      return reply.body.enabled === false ? reply.body : null;
    });
    expect(got.disabledReason).toMatch(/410/);
    expect((await deliveries(sessionId, sub.id))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 410,
    });
    await text(sessionId, 'c', 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await deliveries(sessionId, sub.id)).toHaveLength(1);
    expect(r.requests).toHaveLength(1);
    const test = await h.call('POST', `/sessions/${sessionId}/webhooks/${sub.id}/test`);
    expect(test).toMatchObject({ status: 409, body: { code: 'WEBHOOKS_SUBSCRIPTION_DISABLED' } });
    const enabled = await h.call('PATCH', `/sessions/${sessionId}/webhooks/${sub.id}`, {
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null });
  });

  it('a hanging endpoint does not delay a healthy one', async () => {
    const sessionId = await session();
    const slow = await receiver();
    slow.respond = () => ({ status: 200, hang: true });
    const healthy = await receiver();
    await subscribe(sessionId, { url: slow.url });
    await subscribe(sessionId, { url: healthy.url });
    for (let n = 0; n < 20; n++) await text(sessionId, `c${n}`, n);
    await healthy.waitFor((reqs) => reqs.length === 20);
    // every healthy delivery completed while the slow endpoint still held its (2) requests
    expect(slow.requests.length).toBeLessThanOrEqual(2);
    expect(new Set(healthy.requests.map((q) => q.json.data.messageId)).size).toBe(20);
    await slow.close();
  });

  it('rotates secrets: both signatures during the grace period, only the new one after', async () => {
    const sessionId = await session();
    const r = await receiver();
    const sub = await subscribe(sessionId, { url: r.url });
    const rotated = await h.call('POST', `/sessions/${sessionId}/webhooks/${sub.id}/rotate-secret`, {
      body: {},
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    await text(sessionId, 'c', 1);
    await r.waitFor((reqs) => reqs.length === 1);
    const first = r.requests[0]!;
    const headers = first.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(sub.secret).verify(first.body, headers)).toMatchObject({ type: 'message.status' });
    expect(new Webhook(rotated.body.secret).verify(first.body, headers)).toMatchObject({
      type: 'message.status',
    });

    const again = await h.call('POST', `/sessions/${sessionId}/webhooks/${sub.id}/rotate-secret`, {
      body: { graceMs: 0 },
    });
    await text(sessionId, 'c', 2);
    await r.waitFor((reqs) => reqs.length === 2);
    const second = r.requests[1]!;
    const headers2 = second.headers as Record<string, string>;
    expect(headers2['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(new Webhook(again.body.secret).verify(second.body, headers2)).toMatchObject({
      type: 'message.status',
    });
    expect(() => new Webhook(rotated.body.secret).verify(second.body, headers2)).toThrow(
      /No matching signature/,
    );
    expect(() => new Webhook(sub.secret).verify(second.body, headers2)).toThrow(/No matching signature/);
  });

  it('sends a test event to one subscription, and lists deliveries with filters and a cursor', async () => {
    const sessionId = await session();
    const r = await receiver();
    const other = await receiver();
    const sub = await subscribe(sessionId, { url: r.url });
    await subscribe(sessionId, { url: other.url });
    const test = await h.call('POST', `/sessions/${sessionId}/webhooks/${sub.id}/test`);
    expect(test).toMatchObject({ status: 202, body: { eventType: 'webhook.test', webhookId: sub.id } });
    await r.waitFor((reqs) => reqs.length === 1);
    expect(r.requests[0]!.json).toMatchObject({
      type: 'webhook.test',
      sessionId,
      data: { webhookId: sub.id },
    });
    expect(r.requests[0]!.headers['webhook-id']).toBe(test.body.eventId);
    for (let n = 0; n < 4; n++) await text(sessionId, 'c', n);
    await r.waitFor((reqs) => reqs.length === 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(other.requests.map((q) => q.json.type)).not.toContain('webhook.test');

    const page1 = await h.call('GET', `/sessions/${sessionId}/webhooks/${sub.id}/deliveries`, {
      query: { limit: 3 },
    });
    expect(page1.body.items).toHaveLength(3);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await h.call('GET', `/sessions/${sessionId}/webhooks/${sub.id}/deliveries`, {
      query: { limit: 3, cursor: page1.body.nextCursor },
    });
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.nextCursor).toBeNull();
    const ids = [...page1.body.items, ...page2.body.items].map((d: { id: string }) => d.id);
    expect(new Set(ids).size).toBe(5);
    expect(
      (await deliveries(sessionId, sub.id, { eventType: 'webhook.test' })).map((d) => d.eventId),
    ).toEqual([test.body.eventId]);
    expect(
      await deliveries(sessionId, sub.id, { since: new Date(Date.now() + 60_000).toISOString() }),
    ).toEqual([]);
    expect(
      await deliveries(sessionId, sub.id, { until: new Date(Date.now() + 60_000).toISOString() }),
    ).toHaveLength(5);
    expect(await deliveries(sessionId, sub.id, { status: 'failed' })).toEqual([]);
  });

  it('keeps event order per chat for ordered subscriptions, even across retries', async () => {
    const sessionId = await session();
    const r = await receiver();
    let failedOnce = false;
    r.respond = (q) => {
      if (q.json.data.messageId === 'm0' && !failedOnce) {
        failedOnce = true;
        return { status: 503 };
      }
      return { status: 200, delayMs: 5 };
    };
    await subscribe(sessionId, { url: r.url, ordered: true });
    for (let n = 0; n < 12; n++) await text(sessionId, n % 2 === 0 ? 'even' : 'odd', n);
    await r.waitFor(
      (reqs) => new Set(reqs.map((q) => q.json.data.messageId)).size === 12 && reqs.length === 13,
    );
    const succeeded = r.requests.slice(1);
    for (const chat of ['even', 'odd']) {
      const order = succeeded
        .filter((q) => q.json.data.chatId === chat)
        .map((q) => Number(String(q.json.data.messageId).slice(1)));
      expect(order).toEqual([...order].sort((x, y) => x - y));
    }
    expect(r.requests[0]!.json.data.messageId).toBe('m0');
  });
});
