import { reasonPhrase } from '@zapgate/core';
import { campaigns } from '@zapgate/plugin-campaigns';
import { webhooks } from '@zapgate/plugin-webhooks';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, adminKey, type TestServer, testServer, waitFor } from './fixtures.js';
import type { Schema } from './fuzz/arbitraries.js';
import {
  type Caller,
  type FuzzRequest,
  type Operation,
  operationsOf,
  type Pools,
  requestsFor,
} from './fuzz/requests.js';

/**
 * Property-based fuzzing of every operation of the server's own OpenAPI document: requests
 * built from each operation's schemas (mostly valid, with wrong types, prototype keys, lone
 * surrogates, odd ids and broken bodies mixed in), sent as the admin, the session, another
 * session or nobody. Seeded, so a failure replays: FUZZ_SEED and FUZZ_RUNS (per operation)
 * change the round.
 */
const seed = Number(process.env.FUZZ_SEED ?? 20261201);
const runsPerOperation = Number(process.env.FUZZ_RUNS ?? 20);
const hangMs = 5_000;

interface Fixtures {
  a: { id: string; apiKey: string };
  b: { id: string; apiKey: string };
  hook: string;
  sessionHook: string;
  campaign: string;
  message: string;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestServer;
  let doc: {
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: { schemas: Record<string, Schema> };
  };
  const fx = {} as Fixtures;
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = admin) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const created = async (method: string, url: string, payload?: unknown) => {
    const res = await call(method, url, payload);
    const body = res.statusCode < 300 ? res.json() : undefined;
    const value = body?.campaign ?? body; // a campaign comes with its audience report
    if (!value?.id) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return value;
  };

  /** Puts back what a fuzzed request may have deleted, rotated or disconnected. */
  async function ensureFixtures() {
    for (const name of ['a', 'b'] as const) {
      const current = fx[name] && (await call('GET', `/v1/sessions/${fx[name].id}`));
      if (!current || current.statusCode === 404)
        fx[name] = await created('POST', '/v1/sessions', { name: `fuzz-${name}-${Date.now()}` });
      const me = await call('GET', '/v1/me', undefined, { 'x-api-key': fx[name].apiKey });
      if (me.statusCode === 401)
        fx[name].apiKey = (await call('POST', `/v1/sessions/${fx[name].id}/rotate-key`)).json().apiKey;
    }
    const status = async () => (await call('GET', `/v1/sessions/${fx.a.id}`)).json().status;
    if ((await status()) !== 'connected') {
      await call('POST', `/v1/sessions/${fx.a.id}/connect`);
      await waitFor(async () => (await status()) === 'connected', 10_000);
    }
    if (!fx.hook || (await call('GET', `/v1/webhooks/${fx.hook}`)).statusCode === 404)
      fx.hook = (await created('POST', '/v1/webhooks', { url: 'https://hooks.example.com/in' })).id;
    if (
      !fx.sessionHook ||
      (await call('GET', `/v1/sessions/${fx.a.id}/webhooks/${fx.sessionHook}`)).statusCode === 404
    )
      fx.sessionHook = (
        await created('POST', `/v1/sessions/${fx.a.id}/webhooks`, { url: 'https://hooks.example.com/a' })
      ).id;
    if (!fx.campaign || (await call('GET', `/v1/campaigns/${fx.campaign}`)).statusCode === 404)
      fx.campaign = (
        await created('POST', '/v1/campaigns', {
          name: 'fuzz',
          sessionIds: [fx.a.id],
          audience: { recipients: [{ phone: '+14155552671', variables: { name: 'Ann' } }] },
          content: { variants: [{ text: 'Hi {{name}}' }] },
        })
      ).id;
    if (
      !fx.message ||
      (await call('GET', `/v1/sessions/${fx.a.id}/messages/${fx.message}`)).statusCode === 404
    )
      fx.message = (
        await created('POST', `/v1/sessions/${fx.a.id}/messages`, {
          type: 'text',
          to: '15550002222',
          text: 'hi',
        })
      ).id;
  }

  const pools = (): Pools => ({
    sessionId: [fx.a.id, fx.a.id, fx.b.id],
    webhookId: [fx.hook, fx.sessionHook],
    campaignId: [fx.campaign],
    messageId: [fx.message],
    chatId: [
      '15550002222',
      '15550002222@s.whatsapp.net',
      '+1 555 000 2222',
      '123456789012345@lid',
      '120363000000000001@g.us',
    ],
    jid: ['15550002222', '15550002222@s.whatsapp.net', '123456789012345@lid'],
    groupJid: ['120363000000000001@g.us'],
    phone: ['+14155552671', '14155552671'],
  });

  const keyOf = (caller: Caller): Record<string, string> => {
    switch (caller) {
      case 'admin':
        return { authorization: `Bearer ${adminKey}` };
      case 'own':
        return { 'x-api-key': fx.a.apiKey };
      case 'other':
        return { 'x-api-key': fx.b.apiKey };
      case 'wrong':
        return { 'x-api-key': 'zg_not-a-key' };
      case 'none':
        return {};
    }
  };

  beforeAll(async () => {
    t = await testServer({
      plugins: [webhooks(), campaigns()],
      fake: { autoOpen: true, onWhatsApp: (n) => !n.endsWith('0000') },
    });
    doc = (await t.app.inject('/openapi.json')).json();
    await ensureFixtures();
  }, 180_000);
  afterAll(() => t?.close());

  it('answers every request below 500, in time, errors in the one shape; the process and Object.prototype intact', async () => {
    const operations = operationsOf(doc);
    // the event stream answers forever by design; its errors are covered in events.test.ts
    const streams = operations.filter((op) => op.operationId === 'streamEvents');
    expect(streams).toHaveLength(1);
    const fuzzed = operations.filter((op) => !streams.includes(op));
    expect(fuzzed.length).toBeGreaterThan(80);

    const faults = new Map<string, string>();
    let sent = 0;
    const record = (op: Operation, request: FuzzRequest, problem: string) => {
      const key = `${op.method} ${op.path}: ${problem.split('\n')[0]}`;
      if (!faults.has(key))
        faults.set(
          key,
          `${key}\n  ${request.caller} ${request.method} ${request.url} ${request.payload?.slice(0, 300) ?? ''}`,
        );
    };

    for (const [index, op] of fuzzed.entries()) {
      await ensureFixtures();
      const ctx = {
        resolve: (ref: string) => doc.components.schemas[ref.split('/').pop() as string] as Schema,
        mutation: 0.03,
        uuids: [fx.a.id, fx.b.id, fx.hook, fx.campaign, fx.message],
      };
      await fc.assert(
        fc.asyncProperty(requestsFor(op, ctx, pools()), async (request) => {
          sent++;
          let timer: NodeJS.Timeout | undefined;
          const hang = new Promise<'hang'>((resolve) => {
            timer = setTimeout(() => resolve('hang'), hangMs);
          });
          const res = await Promise.race([
            t.app.inject({
              method: request.method as 'GET',
              url: request.url,
              headers: { ...request.headers, ...keyOf(request.caller) },
              ...(request.payload === undefined ? {} : { payload: request.payload }),
            }),
            hang,
          ]).finally(() => clearTimeout(timer));
          if (res === 'hang') return void record(op, request, `no answer within ${hangMs} ms`);
          if (res.statusCode >= 500)
            return void record(op, request, `${res.statusCode} ${res.body.slice(0, 200)}`);
          if (res.statusCode < 400) return;
          let body: Record<string, unknown> | undefined;
          try {
            body = res.json();
          } catch {
            return void record(op, request, `${res.statusCode} body is not JSON: ${res.body.slice(0, 100)}`);
          }
          // one of our stable codes (never a framework's internal FST_ code), the status's own phrase
          const shaped =
            body?.statusCode === res.statusCode &&
            typeof body.code === 'string' &&
            /^[A-Z][A-Z0-9_]+$/.test(body.code) &&
            !body.code.startsWith('FST_') &&
            body.error === reasonPhrase(res.statusCode) &&
            typeof body.message === 'string';
          if (!shaped)
            record(op, request, `${res.statusCode} not in the error shape: ${res.body.slice(0, 200)}`);
        }),
        { seed: seed + index, numRuns: runsPerOperation },
      );
    }

    expect([...faults.values()]).toEqual([]);
    expect(sent).toBe(fuzzed.length * runsPerOperation);
    // nothing reached a prototype, and the server still serves
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).id).toBeUndefined();
    expect((await t.app.inject('/health/live')).statusCode).toBe(200);
    expect((await call('GET', '/v1/sessions')).statusCode).toBe(200);
  }, 600_000);
});
