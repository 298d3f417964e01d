import { Type } from '@sinclair/typebox';
import { definePlugin, type PluginContext } from '@zapgate/core';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, type TestServer, testServer, waitFor } from './fixtures.js';

const TOKEN = 'cw-token-1234567890-very-secret';
const seen: string[] = [];
let ctx: PluginContext | undefined;

const bridge = definePlugin({
  id: 'bridge',
  version: '1.2.0',
  sessionSettingsSchema: Type.Object({
    url: Type.String({ format: 'uri' }),
    inboxId: Type.Integer({ minimum: 1 }),
    token: Type.String({ minLength: 8, writeOnly: true }),
    signature: Type.Boolean({ default: false }),
  }),
  setup: (c) => {
    ctx = c;
  },
  events: {
    'plugin.settings.updated': (event) => void seen.push(`${event.sessionId}:${event.data.pluginId}`),
  },
});
const plain = definePlugin({ id: 'plain', version: '1.0.0' });

describe.each(['postgres', 'pglite'] as const)('per-session plugin settings on %s', (backend) => {
  let t: TestServer;
  let store: PostgresStore;
  let drop = async () => {};
  let session: { id: string; apiKey: string };
  let other: { id: string; apiKey: string };
  const url = () => `/v1/sessions/${session.id}/plugins/bridge`;

  beforeAll(async () => {
    seen.length = 0;
    if (backend === 'postgres') {
      const database = await createTestDatabase({ prefix: 'zapgate_server_settings' });
      store = postgresStore({ databaseUrl: database.url });
      drop = () => database.drop();
    } else {
      store = postgresStore({ dataDir: 'memory://' });
    }
    t = await testServer({
      plugins: [bridge, plain],
      store,
      config: { encryptionKey: 'server-test-encryption-key-0123456789' },
    });
    session = await t.createSession('settings-a');
    other = await t.createSession('settings-b');
  });
  afterAll(async () => {
    await t?.close();
    await drop();
  });

  it('lists plugins with their settings schema', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/plugins',
      headers: { 'x-api-key': session.apiKey },
    });
    expect(res.statusCode).toBe(200);
    const [info, none] = res.json().items;
    expect(info).toMatchObject({ id: 'bridge', version: '1.2.0', dependencies: {}, events: [] });
    expect(info.sessionSettingsSchema.properties.token).toMatchObject({ type: 'string', writeOnly: true });
    expect(none).toMatchObject({ id: 'plain', sessionSettingsSchema: null });
  });

  it('round-trips settings with the secret sealed at rest and never returned', async () => {
    const unset = await t.app.inject({ method: 'GET', url: url(), headers: { 'x-api-key': session.apiKey } });
    expect(unset.json()).toEqual({
      pluginId: 'bridge',
      sessionId: session.id,
      settings: null,
      secretsSet: [],
      updatedAt: null,
    });

    const put = await t.app.inject({
      method: 'PUT',
      url: url(),
      headers: { 'x-api-key': session.apiKey },
      payload: { url: 'https://chat.example.com', inboxId: 3, token: TOKEN },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      settings: { url: 'https://chat.example.com', inboxId: 3, token: null, signature: false },
      secretsSet: ['token'],
    });
    expect(put.body).not.toContain(TOKEN);

    const rows = await store.knex.raw(
      `SELECT "settings"::text AS raw FROM "pluginSettings" WHERE "sessionId" = ? AND "pluginId" = 'bridge'`,
      [session.id],
    );
    const raw = rows.rows[0].raw as string;
    expect(raw).not.toContain(TOKEN);
    expect(JSON.parse(raw).token).toMatch(/^enc:v1:/);

    // the plugin reads it in clear
    expect(await ctx!.settings.get(session.id)).toEqual({
      url: 'https://chat.example.com',
      inboxId: 3,
      token: TOKEN,
      signature: false,
    });

    // a PUT without the secret (or with null, as GET shows it) keeps it
    const kept = await t.app.inject({
      method: 'PUT',
      url: url(),
      headers: admin,
      payload: { url: 'https://chat.example.com', inboxId: 4, token: null, signature: true },
    });
    expect(kept.statusCode).toBe(200);
    expect((await ctx!.settings.get(session.id))?.token).toBe(TOKEN);
    const got = await t.app.inject({ method: 'GET', url: url(), headers: { 'x-api-key': session.apiKey } });
    expect(got.json()).toMatchObject({
      settings: { inboxId: 4, signature: true, token: null },
      secretsSet: ['token'],
    });
    expect(got.body).not.toContain(TOKEN);
    expect(await ctx!.settings.list()).toEqual([
      { sessionId: session.id, settings: expect.objectContaining({ token: TOKEN, inboxId: 4 }) },
    ]);

    // each change is an event the plugin receives
    await waitFor(() => seen.length >= 2);
    expect(seen).toEqual([`${session.id}:bridge`, `${session.id}:bridge`]);
  });

  it('lists every problem at once, refusing unknown fields', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${other.id}/plugins/bridge`,
      headers: admin,
      payload: { url: 'not a url', inboxId: 0, colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    const paths = (body.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/colour', '/url', '/inboxId', '/token']));
    const unset = await t.app.inject({
      method: 'GET',
      url: `/v1/sessions/${other.id}/plugins/bridge`,
      headers: admin,
    });
    expect(unset.json().settings).toBeNull();
  });

  it("reaches only the admin and that session's key; unknown plugins and plugins without settings are 404", async () => {
    const foreign = await t.app.inject({ method: 'GET', url: url(), headers: { 'x-api-key': other.apiKey } });
    expect(foreign.statusCode).toBe(403);
    const none = await t.app.inject({ method: 'GET', url: '/v1/plugins', headers: {} });
    expect(none.statusCode).toBe(401);
    const unknown = await t.app.inject({
      method: 'GET',
      url: `/v1/sessions/${session.id}/plugins/nope`,
      headers: admin,
    });
    expect(unknown.json()).toMatchObject({ statusCode: 404, code: 'PLUGIN_NOT_FOUND' });
    const noSettings = await t.app.inject({
      method: 'PUT',
      url: `/v1/sessions/${session.id}/plugins/plain`,
      headers: admin,
      payload: {},
    });
    expect(noSettings.json()).toMatchObject({ statusCode: 404, code: 'PLUGIN_HAS_NO_SETTINGS' });
  });

  it('deletes settings (an event when there were some) and closes the sessions settings object', async () => {
    const deleted = await t.app.inject({
      method: 'DELETE',
      url: url(),
      headers: { 'x-api-key': session.apiKey },
    });
    expect(deleted.statusCode).toBe(204);
    expect(await ctx!.settings.get(session.id)).toBeUndefined();
    await waitFor(() => seen.length >= 3);
    const again = await t.app.inject({ method: 'DELETE', url: url(), headers: admin });
    expect(again.statusCode).toBe(204);

    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${session.id}`,
      headers: admin,
      payload: { settings: { markRead: true, autoReply: 'hi' } },
    });
    expect(patch.statusCode).toBe(400);
    expect(patch.body).toContain('autoReply');
    const create = await t.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: admin,
      payload: { name: 'strict', settings: { bogus: true } },
    });
    expect(create.statusCode).toBe(400);
  });
});
