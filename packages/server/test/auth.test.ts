import { webhooks } from '@zapgate/plugin-webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../src/index.js';
import { echoPlugin } from './echo-plugin.js';
import { admin, type TestServer, testServer } from './fixtures.js';

const sample: Record<string, string> = {
  messageId: '00000000-0000-4000-8000-000000000000',
  chatId: '15550002222@s.whatsapp.net',
  jid: '15550002222@s.whatsapp.net',
  webhookId: '00000000-0000-4000-8000-000000000001',
  deliveryId: '00000000-0000-4000-8000-000000000002',
};

/** The 10 operations the webhooks plugin mounts, once globally (admin) and once per session. */
const webhookOperations = [
  'create%Webhook',
  'list%Webhooks',
  'get%Webhook',
  'update%Webhook',
  'delete%Webhook',
  'rotate%WebhookSecret',
  'test%Webhook',
  'list%WebhookDeliveries',
  'redeliver%WebhookDelivery',
  'redeliverFailed%WebhookDeliveries',
].flatMap((op) => [op.replace('%', ''), op.replace('%', 'Session')]);

const urlFor = (route: RouteInfo, sessionId: string) =>
  route.url.replace(/:(\w+)/g, (_, name: string) =>
    name === 'sessionId' ? sessionId : encodeURIComponent(sample[name] ?? 'x'),
  );

describe('auth matrix (generated from the route table)', () => {
  let t: TestServer;
  let other: { id: string; apiKey: string };
  let routes: RouteInfo[];
  beforeAll(async () => {
    // Deliveries are never attempted here: the one subscription created below is disabled.
    t = await testServer({ plugins: [echoPlugin(), webhooks({ allowPrivateNetworks: true })] });
    other = await t.createSession('other');
    routes = t.app.zapgate.routeTable;
  });
  afterAll(() => t?.close());

  it('covers every API route, including plugin routes', () => {
    const ids = routes.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'createSession',
        'sendMessage',
        'streamEvents',
        'listMigrations',
        'getEcho',
        'postEchoAdmin',
        ...webhookOperations,
      ]),
    );
    expect(webhookOperations).toHaveLength(20);
    expect(routes.filter((r) => r.url.includes('/webhooks')).map((r) => r.operationId)).toHaveLength(20);
    expect(routes.length).toBeGreaterThanOrEqual(48);
    // A route under a session must be scoped to it, so session keys can reach it.
    for (const route of routes)
      if (route.url.includes(':sessionId')) expect(route.auth, route.url).toBe('session');
  });

  it('answers 401/403/allowed for no key, another session, own key and admin on every route', async () => {
    const failures: string[] = [];
    const check = (label: string, status: number, ok: (s: number) => boolean) => {
      if (!ok(status)) failures.push(`${label} → ${status}`);
    };
    const allowed = (s: number) => s !== 401 && s !== 403 && s < 500;
    for (const route of routes) {
      const own = await t.createSession(`own-${route.operationId}`.slice(0, 60));
      const url = urlFor(route, own.id);
      const hit = async (headers: Record<string, string>) =>
        (await t.app.inject({ method: route.method as 'GET', url, headers })).statusCode;
      const label = `${route.method} ${route.url}`;
      if (route.auth === 'public') {
        check(`${label} no key`, await hit({}), allowed);
        continue;
      }
      check(`${label} no key`, await hit({}), (s) => s === 401);
      check(`${label} wrong key`, await hit({ 'x-api-key': 'zgs_wrong' }), (s) => s === 401);
      if (route.operationId === 'streamEvents') {
        // Success opens an endless stream (tested in events.test.ts); a foreign sessionId is refused.
        const res = await t.app.inject({
          url: `${url}?sessionId=${other.id}`,
          headers: { 'x-api-key': own.apiKey },
        });
        check(`${label} other session`, res.statusCode, (s) => s === 403);
        continue;
      }
      if (route.operationId === 'getCaller') {
        // Any valid key may ask what it reaches; the answer names only the key's own session.
        const res = await t.app.inject({ url, headers: { 'x-api-key': other.apiKey } });
        if (res.json().sessionId !== other.id) failures.push(`${label} another key → ${res.body}`);
        continue;
      }
      if (route.auth === 'authenticated') {
        // Any valid key may read it (the installed plugins, for the dashboard's forms).
        check(`${label} another session's key`, await hit({ 'x-api-key': other.apiKey }), allowed);
        check(`${label} admin`, await hit(admin), allowed);
        continue;
      }
      check(`${label} other session's key`, await hit({ 'x-api-key': other.apiKey }), (s) => s === 403);
      if (route.auth === 'admin')
        check(`${label} own key`, await hit({ 'x-api-key': own.apiKey }), (s) => s === 403);
      else check(`${label} own key`, await hit({ authorization: `Bearer ${own.apiKey}` }), allowed);
      check(`${label} admin`, await hit(admin), allowed);
    }
    expect(failures).toEqual([]);
  });

  it('accepts both header forms for the admin key and rejects near misses', async () => {
    expect((await t.app.inject({ url: '/v1/sessions', headers: admin })).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/v1/sessions', headers: { 'x-api-key': admin.authorization.slice(7) } }))
        .statusCode,
    ).toBe(200);
    const wrong = await t.app.inject({
      url: '/v1/sessions',
      headers: { authorization: `${admin.authorization}x` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({
      statusCode: 401,
      code: 'UNAUTHORIZED',
      error: 'Unauthorized',
      message: 'Invalid API key',
    });
    expect(wrong.headers['www-authenticate']).toBe('Bearer');
  });

  it('mounts plugin routes with their schemas, scopes and replies', async () => {
    const own = await t.createSession('echo-own');
    const echo = await t.app.inject({
      url: `/v1/sessions/${own.id}/echo?times=2`,
      headers: { 'x-api-key': own.apiKey },
    });
    expect(echo.statusCode).toBe(200);
    expect(echo.json()).toEqual({ sessionId: own.id, times: 2, auth: 'session' });
    const bad = await t.app.inject({ url: `/v1/sessions/${own.id}/echo?times=9`, headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    const post = await t.app.inject({
      method: 'POST',
      url: '/v1/echo/admin',
      headers: admin,
      payload: { note: 'hi' },
    });
    expect(post.statusCode).toBe(201);
    expect(post.headers['x-echo']).toBe('yes');
    expect(post.json()).toEqual({ note: 'hi' });
    expect((await t.app.inject({ url: '/v1/echo/public' })).json()).toEqual({ ok: true });
  });

  it('validates a session webhook body and returns its whsec_ secret once', async () => {
    const own = await t.createSession('webhook-own');
    const url = `/v1/sessions/${own.id}/webhooks`;
    const headers = { 'x-api-key': own.apiKey };
    const bad = await t.app.inject({ method: 'POST', url, headers, payload: { url: 'not a url' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });

    const created = await t.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { url: 'http://127.0.0.1:9/hook', events: ['message.*'], enabled: false },
    });
    expect(created.statusCode, created.body).toBe(201);
    const body = created.json();
    expect(body).toMatchObject({ sessionId: own.id, url: 'http://127.0.0.1:9/hook', events: ['message.*'] });
    expect(body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32,}$/);

    const got = await t.app.inject({ url: `${url}/${body.id}`, headers });
    expect(got.statusCode).toBe(200);
    expect(got.json()).not.toHaveProperty('secret');
    expect(got.body).not.toContain(body.secret.slice(6));
    const list = await t.app.inject({ url, headers });
    expect(list.body).not.toContain(body.secret.slice(6));
    const foreign = await t.app.inject({ url: `${url}/${body.id}`, headers: { 'x-api-key': other.apiKey } });
    expect(foreign.statusCode).toBe(403);
  });
});
