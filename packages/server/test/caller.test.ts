import { coreVersion } from '@zapgate/core';
import { memoryStore } from '@zapgate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer } from './fixtures.js';

describe('GET /v1/me and GET /v1/admin/server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer({ store: memoryStore() });
  });
  afterAll(() => t?.close());

  it('tells a client what its key reaches', async () => {
    expect((await t.app.inject({ url: '/v1/me', headers: admin })).json()).toEqual({ scope: 'admin' });
    const session = await t.createSession('mine');
    const mine = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': session.apiKey } });
    expect(mine.json()).toEqual({ scope: 'session', sessionId: session.id });
    const wrong = await t.app.inject({ url: '/v1/me', headers: { 'x-api-key': 'zgs_wrong' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('describes the server to the admin only', async () => {
    const info = (await t.app.inject({ url: '/v1/admin/server', headers: admin })).json();
    expect(info).toMatchObject({ version: coreVersion, store: 'memory', plugins: [] });
    expect(info.node).toMatchObject({ pid: process.pid, runtime: process.version });
    expect(Date.parse(info.node.startedAt)).toBeLessThanOrEqual(Date.now());
    const session = await t.createSession('other');
    const refused = await t.app.inject({ url: '/v1/admin/server', headers: { 'x-api-key': session.apiKey } });
    expect(refused.statusCode).toBe(403);
  });
});
