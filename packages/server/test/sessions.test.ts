import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer, waitFor } from './fixtures.js';

describe('session lifecycle through the fake connector', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer();
  });
  afterAll(() => t?.close());

  it('creates a session and shows its key once', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: admin,
      payload: { name: 'life' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({ name: 'life', status: 'disconnected' });
    expect(body.apiKey).toMatch(/^zgs_[\w-]{43}$/);
    expect(body).not.toHaveProperty('apiKeyHash');
    const get = await t.app.inject({ url: `/v1/sessions/${body.id}`, headers: { 'x-api-key': body.apiKey } });
    expect(get.statusCode).toBe(200);
    expect(get.json()).not.toHaveProperty('apiKey');
    expect(JSON.stringify(get.json())).not.toContain(body.apiKey);
  });

  it('connects, shows the QR as text and PNG, opens, logs out and deletes', async () => {
    const { id, apiKey } = await t.createSession('flow');
    const key = { 'x-api-key': apiKey };
    const qrBefore = await t.app.inject({ url: `/v1/sessions/${id}/qr`, headers: key });
    expect(qrBefore.statusCode).toBe(409);
    expect(qrBefore.json().code).toBe('QR_NOT_AVAILABLE');

    const connect = await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/connect`, headers: key });
    expect(connect.statusCode).toBe(200);
    const control = t.fake.session(id);
    await waitFor(() => control.connection);
    await control.qr(`2@fake-qr-${id}`);
    const qr = await waitFor(async () => {
      const res = await t.app.inject({ url: `/v1/sessions/${id}/qr`, headers: key });
      return res.statusCode === 200 ? res.json() : null;
    });
    expect(qr.qr).toBe(`2@fake-qr-${id}`);
    expect(qr.dataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]{100,}$/);
    expect(Date.parse(qr.expiresAt)).toBeGreaterThan(Date.now());

    await control.open({ phoneNumber: '15550001111', deviceJid: '15550001111:1@s.whatsapp.net' });
    const connected = await t.app.inject({ url: `/v1/sessions/${id}`, headers: key });
    expect(connected.json()).toMatchObject({ status: 'connected', phoneNumber: '15550001111', qr: null });

    const logout = await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/logout`, headers: key });
    expect(logout.statusCode).toBe(200);
    expect(logout.json().status).toBe('logged_out');

    const del = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: key });
    expect(del.statusCode).toBe(204);
    const gone = await t.app.inject({ url: `/v1/sessions/${id}`, headers: admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('SESSION_NOT_FOUND');
    // its key (used just before, so remembered) is forgotten with it
    const stale = await t.app.inject({ url: '/v1/me', headers: key });
    expect(stale.statusCode).toBe(401);
  });

  it('updates settings, lists for the admin and rotates the key', async () => {
    const { id, apiKey } = await t.createSession('settings');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${id}`,
      headers: { 'x-api-key': apiKey },
      payload: { settings: { markRead: true } },
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json().settings).toMatchObject({ markRead: true, ignoreStatus: true });

    const list = await t.app.inject({ url: '/v1/sessions', headers: admin });
    expect(list.json().items.map((s: { id: string }) => s.id)).toContain(id);

    const rotate = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${id}/rotate-key`,
      headers: { 'x-api-key': apiKey },
    });
    expect(rotate.statusCode).toBe(200);
    const fresh = rotate.json().apiKey as string;
    expect(fresh).not.toBe(apiKey);
    expect(
      (await t.app.inject({ url: `/v1/sessions/${id}`, headers: { 'x-api-key': apiKey } })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ url: `/v1/sessions/${id}`, headers: { authorization: `Bearer ${fresh}` } }))
        .statusCode,
    ).toBe(200);
  });

  it('asks for a pairing code', async () => {
    const { id, apiKey } = await t.createSession('pairing');
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${id}/pairing-code`,
      headers: { 'x-api-key': apiKey },
      payload: { phoneNumber: '+1 555 000 1111' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: 'ABCD1234' });
    expect(t.fake.session(id).callsOf('requestPairingCode')).toEqual([
      { method: 'requestPairingCode', args: ['15550001111'] },
    ]);
  });

  it('refuses a duplicate name with 409', async () => {
    await t.createSession('dup');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: admin,
      payload: { name: 'dup' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SESSION_NAME_TAKEN');
  });
});
