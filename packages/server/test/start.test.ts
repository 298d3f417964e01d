import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { definePlugin } from '@zapgate/core';
import { memoryStore } from '@zapgate/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { startServer } from '../src/start.js';
import { admin, type TestServer, testServer } from './fixtures.js';

const offline = { name: 'none', connect: () => Promise.reject(new Error('offline')) };

const sink = () => {
  let text = '';
  const out = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  return { out, text: () => text };
};

describe('startServer on the real store (embedded PGlite in a data dir)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  // two cold PGlite boots: slow on a busy machine
  it('boots, prints a generated admin key once, keeps sessions across restarts', {
    timeout: 120_000,
  }, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-start-'));
    dirs.push(dataDir);
    const config = loadConfig({ env: { ZAPGATE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' } });
    const connector = offline;

    const first = sink();
    const one = await startServer(config, { out: first.out, listen: false, connector });
    const key = /(zga_[\w-]{43})/.exec(first.text())?.[1];
    expect(key).toBeDefined();
    expect(one.app.gateway.store.kind).toBe('pglite');
    expect((await one.app.inject('/health/ready')).json()).toEqual({
      status: 'ok',
      checks: { store: 'ok', node: 'ready' },
    });
    const created = await one.app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: { 'x-api-key': key! },
      payload: { name: 'kept' },
    });
    expect(created.statusCode).toBe(201);
    // refusals of private URLs name the setting a server user can reach
    const headers = { 'x-api-key': key! };
    const privateUrl = {
      statusCode: 400,
      message: expect.stringContaining('allow it with ZAPGATE_ALLOW_PRIVATE_URLS'),
    };
    const proxy = await one.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${created.json().id}`,
      headers,
      payload: { proxyUrl: 'http://10.0.0.1:3128' },
    });
    expect(proxy.json()).toMatchObject({ ...privateUrl, code: 'URL_NOT_ALLOWED' });
    const hook = await one.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers,
      payload: { url: 'http://127.0.0.1:9/hook' },
    });
    expect(hook.json()).toMatchObject({ ...privateUrl, code: 'WEBHOOKS_URL_NOT_ALLOWED' });
    const migrations = (
      await one.app.inject({ url: '/v1/admin/migrations', headers: { 'x-api-key': key! } })
    ).json();
    expect(migrations.pending).toEqual([]);
    expect(migrations.applied.map((m: { owner: string }) => m.owner)).toContain('core');
    await one.close();

    const second = sink();
    const two = await startServer(config, { out: second.out, listen: false, connector });
    expect(second.text()).toBe('');
    const list = await two.app.inject({ url: '/v1/sessions', headers: { authorization: `Bearer ${key}` } });
    expect(list.json().items.map((s: { name: string }) => s.name)).toEqual(['kept']);
    await two.close();
  });
});

describe('startServer listening', () => {
  it('prints the dashboard URL once it listens', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-start-'));
    const config = loadConfig({
      env: { ZAPGATE_DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1' },
    });
    const out = sink();
    const running = await startServer(config, {
      out: out.out,
      store: memoryStore(),
      connector: offline,
      plugins: [],
    });
    const port = (running.app.server.address() as { port: number }).port;
    expect(out.text()).toContain(`Dashboard: http://127.0.0.1:${port}/ (sign in with the admin key)`);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    await running.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('health and metrics', () => {
  let t: TestServer;
  afterAll(() => t?.close());

  it('serves liveness, readiness (503 when the store fails) and Prometheus metrics with plugin metrics', async () => {
    const counting = definePlugin({
      id: 'counting',
      version: '1.0.0',
      setup: (ctx) =>
        ctx.metrics.counter('zapgate_test_things_total', 'Things counted', ['kind']).inc({ kind: 'a' }, 2),
    });
    t = await testServer({ plugins: [counting] });
    expect((await t.app.inject('/health/live')).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject('/health/ready')).statusCode).toBe(200);
    const ping = t.store.ping;
    t.store.ping = async () => {
      throw new Error('down');
    };
    const down = await t.app.inject('/health/ready');
    t.store.ping = ping;
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable', checks: { store: 'unavailable', node: 'ready' } });

    await t.app.inject({ url: '/v1/sessions', headers: admin });
    const metrics = await t.app.inject('/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('zapgate_test_things_total{kind="a"} 2');
    expect(metrics.body).toMatch(
      /zapgate_http_request_duration_seconds_count\{method="GET",route="\/v1\/sessions",status="200"\} 1/,
    );
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
  });
});
