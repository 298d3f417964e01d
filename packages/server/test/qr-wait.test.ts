import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer, waitFor } from './fixtures.js';

describe('GET …/qr right after connect', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer();
  });
  afterAll(() => t?.close());

  it('with ?wait= waits for the first QR of a connecting session', async () => {
    const { id } = await t.createSession('qr-wait');
    const connect = await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/connect`, headers: admin });
    expect(connect.json().status).toBe('connecting');
    const control = t.fake.session(id);
    await waitFor(() => control.connection);
    const asked = t.app.inject({ url: `/v1/sessions/${id}/qr?wait=30`, headers: admin });
    // the QR appears only after the request is waiting
    let settled = false;
    void asked.then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    await control.qr(`2@fake-qr-${id}`);
    const res = await asked;
    expect(res.statusCode).toBe(200);
    expect(res.json().qr).toBe(`2@fake-qr-${id}`);
  });

  it('without a QR in time says the session is still connecting, not "connect it first"', async () => {
    const { id } = await t.createSession('qr-late');
    await t.app.inject({ method: 'POST', url: `/v1/sessions/${id}/connect`, headers: admin });
    await waitFor(() => t.fake.session(id).connection);
    const now = await t.app.inject({ url: `/v1/sessions/${id}/qr`, headers: admin });
    expect(now.statusCode).toBe(409);
    expect(now.json()).toMatchObject({ code: 'QR_NOT_AVAILABLE', details: { status: 'connecting' } });
    expect(now.json().message).toBe(
      `Session ${id} is connecting and has no QR code yet; wait for it (the server's \`?wait=10\`) or ask again in a moment`,
    );
    const waited = await t.app.inject({ url: `/v1/sessions/${id}/qr?wait=1`, headers: admin });
    expect(waited.statusCode).toBe(409);
    expect(waited.json().message).toContain(
      `Session ${id} is still connecting and showed no QR code within 1 s`,
    );
  });

  it('on a connected session says it is already paired, on a disconnected one to connect first', async () => {
    const session = await t.createSession('qr-paired');
    const fresh = await t.app.inject({ url: `/v1/sessions/${session.id}/qr?wait=5`, headers: admin });
    expect(fresh.statusCode).toBe(409);
    expect(fresh.json().message).toBe(
      `Session ${session.id} has status disconnected; connect it first to get a QR code`,
    );
    await t.connectAndOpen(session);
    const paired = await t.app.inject({ url: `/v1/sessions/${session.id}/qr?wait=5`, headers: admin });
    expect(paired.statusCode).toBe(409);
    expect(paired.json().message).toBe(
      `Session ${session.id} is connected (already paired): a QR code is only shown while pairing`,
    );
    expect(paired.json().message).not.toContain('connect it first');
  });

  it('refuses a wait beyond 30 s', async () => {
    const { id } = await t.createSession('qr-bound');
    const res = await t.app.inject({ url: `/v1/sessions/${id}/qr?wait=300`, headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
  });
});
