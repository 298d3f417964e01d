import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer } from './fixtures.js';

const errorShape = {
  statusCode: expect.any(Number),
  code: expect.any(String),
  error: expect.any(String),
  message: expect.any(String),
};

describe('error shapes', () => {
  let t: TestServer;
  let session: { id: string; apiKey: string };
  beforeAll(async () => {
    t = await testServer();
    session = await t.createSession('errors');
    await t.connectAndOpen(session);
  });
  afterAll(() => t?.close());

  it('malformed JSON → 400 INVALID_JSON', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'INVALID_JSON',
      error: 'Bad Request',
      message: 'The body is not valid JSON',
    });
  });

  it('schema violation → 400 VALIDATION_FAILED listing every problem', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: admin,
      payload: { name: '!bad name', proxyUrl: 'not a url', settings: { markRead: 'sometimes' } },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({ ...errorShape, code: 'VALIDATION_FAILED' });
    expect(body.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^body\.name /),
        expect.stringMatching(/^body\.proxyUrl /),
        expect.stringMatching(/^body\.settings\.markRead /),
      ]),
    );
  });

  it('a send body reports the problems of its own type only', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${session.id}/messages`,
      headers: admin,
      payload: { type: 'location', to: '15550002222', latitude: 123 },
    });
    expect(res.statusCode).toBe(400);
    const details: string[] = res.json().details;
    expect(details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/latitude/),
        expect.stringMatching(/longitude is required/),
      ]),
    );
    expect(details.join(' ')).not.toMatch(/text|media|emoji/);
  });

  it('unknown session → 404 SESSION_NOT_FOUND; unknown route → 404 ROUTE_NOT_FOUND', async () => {
    const res = await t.app.inject({
      url: '/v1/sessions/00000000-0000-4000-8000-000000000000',
      headers: admin,
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ ...errorShape, code: 'SESSION_NOT_FOUND' });
    for (const url of ['/v1/nope', '/nope']) {
      const missing = await t.app.inject({ url });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    }
  });

  it('wrong key → 401, another session → 403 FORBIDDEN', async () => {
    const other = await t.createSession('errors-other');
    const res = await t.app.inject({
      url: `/v1/sessions/${session.id}`,
      headers: { 'x-api-key': other.apiKey },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ statusCode: 403, code: 'FORBIDDEN', error: 'Forbidden' });
    const none = await t.app.inject({ url: `/v1/sessions/${session.id}` });
    expect(none.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });

  it('invalid recipient → 400 INVALID_RECIPIENT', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${session.id}/messages`,
      headers: { 'x-api-key': session.apiKey },
      payload: { type: 'text', to: 'not-a-jid!', text: 'hi' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ ...errorShape, code: 'INVALID_RECIPIENT' });
  });

  it('body too large → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(33 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('unexpected failures → 500 INTERNAL_ERROR without details', async () => {
    const original = t.store.sessions.list;
    t.store.sessions.list = async () => {
      throw new Error('secret database detail');
    };
    try {
      const res = await t.app.inject({ url: '/v1/sessions', headers: admin });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        statusCode: 500,
        code: 'INTERNAL_ERROR',
        error: 'Internal Server Error',
        message: 'An unexpected error occurred; see the server log',
      });
      expect(res.body).not.toContain('secret');
    } finally {
      t.store.sessions.list = original;
    }
  });
});
