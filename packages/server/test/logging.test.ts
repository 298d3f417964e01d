import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fakeConnector } from '@zapgate/core/testing';
import { postgresStore } from '@zapgate/store-postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/options.js';
import { type RunningServer, startServer } from '../src/start.js';
import { waitFor } from './fixtures.js';

const adminKey = 'logging-admin-key-0123456789';
let running: RunningServer | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A server started like the CLI does, logging into a stream we read (a terminal or not). */
async function start(tty: boolean) {
  dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-logs-'));
  const logs = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  logs.on('data', (chunk) => {
    text += chunk;
  });
  const fake = fakeConnector();
  const config = loadConfig({
    env: {
      ZAPGATE_DATA_DIR: dataDir,
      ZAPGATE_ADMIN_KEY: adminKey,
      ZAPGATE_PLUGINS: 'none',
      ZAPGATE_DASHBOARD: 'false',
      ZAPGATE_DOCS: 'false',
    },
  });
  const store = postgresStore({ dataDir: 'memory://' });
  await store.init(); // outside the server's ready timeout: PGlite boots slowly on a busy machine
  running = await startServer(config, {
    store,
    connector: fake,
    listen: false,
    out: new PassThrough(),
    logDestination: logs,
  });
  return { app: running.app, fake, text: () => text };
}

describe('server logs', () => {
  it('are JSON lines without duplicated keys; health and metrics requests are not logged; a failed session is a warning', async () => {
    const { app, fake, text } = await start(false);
    for (const url of ['/health/live', '/health/ready', '/metrics'])
      expect((await app.inject(url)).statusCode).toBe(200);
    const me = await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${adminKey}` } });
    expect(me.statusCode).toBe(200);

    const created = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { authorization: `Bearer ${adminKey}` },
      payload: { name: 'logs' },
    });
    const { id } = created.json();
    await app.inject({
      method: 'POST',
      url: `/v1/sessions/${id}/connect`,
      headers: { authorization: `Bearer ${adminKey}` },
    });
    await waitFor(() => fake.session(id).connection);
    await fake.session(id).open({ phoneNumber: '15550001111' });
    await fake.session(id).close('replaced');
    await waitFor(() => text().includes('"session failed'));

    const lines = text().trim().split('\n');
    const records = lines.map((line) => {
      const record = JSON.parse(line);
      // a repeated key would be dropped by JSON.parse: the line would not come back the same
      expect(JSON.stringify(record)).toBe(line);
      return record as {
        level: number;
        msg: string;
        req?: { url: string; method: string };
        res?: { statusCode: number };
        responseTime?: number;
        sessionId?: string;
        status?: string;
      };
    });
    // one line per request, when it completes
    expect(records.filter((r) => r.msg === 'incoming request')).toEqual([]);
    const requested = records.filter((r) => r.msg === 'request completed').map((r) => r.req?.url);
    expect(requested).toContain('/v1/me');
    expect(records.find((r) => r.req?.url === '/v1/me')).toMatchObject({
      level: 30,
      req: { method: 'GET', url: '/v1/me' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    expect(requested.filter((url) => url?.startsWith('/health') || url === '/metrics')).toEqual([]);
    const failed = records.find((r) => r.msg.startsWith('session failed'));
    expect(failed).toMatchObject({ level: 40, sessionId: id, status: 'failed' });
    expect(records.some((r) => r.msg === 'gateway started')).toBe(true);
  }, 240_000);

  it('are human-readable in a terminal', async () => {
    const { app, text } = await start(true);
    await app.inject({ url: '/v1/me', headers: { authorization: `Bearer ${adminKey}` } });
    await waitFor(() => text().includes('request completed'));
    const line = text()
      .split('\n')
      .find((l) => l.includes('gateway started')) as string;
    expect(line).toMatch(/INFO/);
    expect(() => JSON.parse(line)).toThrow();
  }, 240_000);
});
