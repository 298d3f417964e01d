import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer } from './fixtures.js';

describe('session proxies: an admin decision, through the outgoing-address policy', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  beforeAll(async () => {
    t = await testServer();
    s = await t.createSession('proxied');
  });
  afterAll(() => t?.close());

  const patch = (headers: Record<string, string>, payload: object) =>
    t.app.inject({ method: 'PATCH', url: `/v1/sessions/${s.id}`, headers, payload });

  it('refuses a session key that sets or changes proxyUrl with 403 PROXY_CHANGE_FORBIDDEN', async () => {
    const key = { 'x-api-key': s.apiKey };
    const set = await patch(key, { proxyUrl: 'http://proxy.example.com:3128' });
    expect(set.statusCode).toBe(403);
    expect(set.json()).toMatchObject({ statusCode: 403, code: 'PROXY_CHANGE_FORBIDDEN', error: 'Forbidden' });
    // sending back the current value (a GET round trip) is not a change
    const same = await patch(key, { proxyUrl: null, settings: { markRead: true } });
    expect(same.statusCode).toBe(200);
    expect((await t.store.sessions.get(s.id))?.proxyUrl).toBeNull();
  });

  it.each([
    ['http://169.254.169.254', 'URL_NOT_ALLOWED'],
    ['http://127.0.0.1:1080', 'URL_NOT_ALLOWED'],
    ['socks5://[::1]:1080', 'URL_NOT_ALLOWED'],
    ['http://localhost:3128', 'URL_NOT_ALLOWED'],
    ['file:///etc/passwd', 'URL_NOT_ALLOWED'],
    ['ftp://proxy.example.com', 'URL_NOT_ALLOWED'],
  ])('refuses %s as a proxy, even for the admin (%s)', async (proxyUrl, code) => {
    const res = await patch(admin, { proxyUrl });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ statusCode: 400, code });
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: admin,
      payload: { name: `p-${Math.random()}`, proxyUrl },
    });
    expect(created.json()).toMatchObject({ statusCode: 400, code });
  });

  it('lets the admin set a public http, https or socks proxy', async () => {
    for (const proxyUrl of ['socks5://user:pass@proxy.example.com:1080', 'https://proxy.example.com']) {
      const res = await patch(admin, { proxyUrl });
      expect(res.statusCode).toBe(200);
      expect(res.json().proxyUrl).toBe(proxyUrl);
    }
  });
});
