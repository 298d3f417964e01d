import net from 'node:net';
import { webhooks } from '@zapgate/plugin-webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer } from './fixtures.js';

// Each of these was a 500 (or a silent coercion) before; each must be a 4xx with a stable code.
describe('bad input never reaches a 5xx', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  beforeAll(async () => {
    t = await testServer({ plugins: [webhooks({ allowPrivateNetworks: true })] });
    s = await t.createSession('bad-input');
    await t.connectAndOpen(s);
  });
  afterAll(() => t?.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...admin, ...headers }, payload: payload as string });
  const expectError = (res: { statusCode: number; json(): unknown }, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({
      statusCode: status,
      code,
      error: expect.any(String),
      message: expect.any(String),
    });
  };

  it('takes bodies as sent: no type coercion, and unknown fields are named', async () => {
    expectError(await post('/v1/sessions', { name: 123 }), 400, 'VALIDATION_FAILED');
    expect(
      (await t.app.inject({ url: '/v1/sessions', headers: admin }))
        .json()
        .items.map((x: { name: string }) => x.name),
    ).not.toContain('123');
    const text = await post(`/v1/sessions/${s.id}/messages`, { type: 'text', to: '15550002222', text: 42 });
    expectError(text, 400, 'VALIDATION_FAILED');
    const unknown = await post('/v1/sessions', { name: 'x-unknown', colour: 'blue' });
    expectError(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.json().message).toContain('body.colour is not allowed');
    // query strings are text and still convert
    const listed = await t.app.inject({
      url: `/v1/sessions/${s.id}/chats?limit=5&archived=false`,
      headers: admin,
    });
    expect(listed.statusCode).toBe(200);
  });

  it('refuses text that is not valid Unicode (a lone surrogate) before it reaches storage', async () => {
    const raw = '{"url":"http://127.0.0.1:9/hook","headers":{"x-a\\ud800":"v"}}';
    const res = await post('/v1/webhooks', raw, { 'content-type': 'application/json' });
    expectError(res, 400, 'INVALID_UNICODE');
    expect(res.json().message).toContain('body.headers (a key)');
    const text = await post(
      `/v1/sessions/${s.id}/messages`,
      '{"type":"text","to":"15550002222","text":"hi \\udc00"}',
      { 'content-type': 'application/json' },
    );
    expectError(text, 400, 'INVALID_UNICODE');
  });

  it('reads an empty JSON body as no body where the body is optional', async () => {
    const hook = await post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook' });
    expect(hook.statusCode).toBe(201);
    const res = await post(`/v1/webhooks/${hook.json().id}/test`, '', { 'content-type': 'application/json' });
    expect(res.statusCode).toBeLessThan(300);
    const own = await post(`/v1/sessions/${s.id}/webhooks`, { url: 'http://127.0.0.1:9/own' });
    const ownTest = await post(`/v1/sessions/${s.id}/webhooks/${own.json().id}/test`, '', {
      'content-type': 'application/json',
    });
    expect(ownTest.statusCode).toBeLessThan(300);
    // where a body is required, an empty one is a validation problem, not a JSON error
    expectError(
      await post('/v1/sessions', '', { 'content-type': 'application/json' }),
      400,
      'VALIDATION_FAILED',
    );
  });

  const png =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

  it('refuses a picture that is not an image (was 502 "Input Buffer is empty") and base64 that is not base64', async () => {
    const profile = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${s.id}/profile`,
      headers: admin,
      payload: { picture: 'x' },
    });
    expectError(profile, 400, 'VALIDATION_FAILED');
    const groupX = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${s.id}/groups/120363000000000001@g.us`,
      headers: admin,
      payload: { picture: 'x' },
    });
    expectError(groupX, 400, 'VALIDATION_FAILED');
    const group = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${s.id}/groups/120363000000000001@g.us`,
      headers: admin,
      payload: { picture: Buffer.from('%PDF-1.4 not a picture').toString('base64') },
    });
    expectError(group, 400, 'VALIDATION_FAILED');
    expect(group.json().message).toContain('application/pdf');
    const send = await post(`/v1/sessions/${s.id}/messages`, {
      type: 'image',
      to: '15550002222',
      media: { base64: 'not base64!' },
    });
    expectError(send, 400, 'VALIDATION_FAILED');
    expect(send.json().message).toBe('media.base64 is not valid base64');
  });

  it('detects the real media type: a PNG never goes out as image/jpeg, a PDF is not an image', async () => {
    const to = '15550002222';
    const lying = await post(`/v1/sessions/${s.id}/messages`, {
      type: 'image',
      to,
      media: { base64: png },
      mimeType: 'image/jpeg',
    });
    expectError(lying, 400, 'MEDIA_TYPE_MISMATCH');
    expect(lying.json().message).toBe('mimeType says image/jpeg, but the media is image/png');
    const pdf = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj\n').toString('base64');
    expectError(
      await post(`/v1/sessions/${s.id}/messages`, { type: 'image', to, media: { base64: pdf } }),
      400,
      'MEDIA_TYPE_MISMATCH',
    );
    const honest = await post(`/v1/sessions/${s.id}/messages`, { type: 'image', to, media: { base64: png } });
    expect(honest.statusCode).toBe(202);
    expect(honest.json().mediaInfo.mimeType).toBe('image/png');
  });

  it.each([
    ['no boundary', 'multipart/form-data', 'x'],
    [
      'cut short',
      'multipart/form-data; boundary=zz',
      '--zz\r\nContent-Disposition: form-data; name="body"\r\n\r\n{"type"',
    ],
  ])('answers a malformed multipart send (%s) with 400 INVALID_MULTIPART', async (_label, type, payload) => {
    const res = await post(`/v1/sessions/${s.id}/messages`, payload, { 'content-type': type });
    expectError(res, 400, 'INVALID_MULTIPART');
  });

  it('answers a path that is not a valid URL, or an id far too long, with our codes (were FST_ codes)', async () => {
    for (const url of [`/v1/sessions/%zz/messages`, `/v1/sessions/${s.id}/messages/%ED%A0%80`]) {
      const res = await t.app.inject({ url, headers: admin });
      expectError(res, 400, 'INVALID_URL');
      expect(res.json().error).toBe('Bad Request');
    }
    const long = await t.app.inject({ url: `/v1/sessions/${'a'.repeat(200)}/messages`, headers: admin });
    expectError(long, 414, 'URI_TOO_LONG');
    expect(long.json().error).toBe('URI Too Long');
  });

  it('answers headers too large (431) in the error shape, over real HTTP', async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(address);
    const response = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () =>
        socket.write(`GET /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
    expect(body).toEqual({
      statusCode: 431,
      code: 'HEADERS_TOO_LARGE',
      error: 'Request Header Fields Too Large',
      message: expect.any(String),
    });
  });
});
