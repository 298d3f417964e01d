import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryStore } from '@zapgate/core/testing';
import { dashboardDir } from '@zapgate/dashboard';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCsp, dashboardRoutes } from '../src/dashboard.js';
import type { BuildServerOptions } from '../src/index.js';
import { type TestServer, testServer } from './fixtures.js';

describe('the dashboard served at /', () => {
  let root: string;
  const servers: TestServer[] = [];
  // The in-memory store boots fast; the dashboard does not touch the store.
  const start = async (dashboard: BuildServerOptions['dashboard']) => {
    const t = await testServer({ dashboard, store: memoryStore() });
    servers.push(t);
    return t.app;
  };
  const bare = async (options: { root: string }) => {
    const app = Fastify({ logger: false });
    await app.register(dashboardRoutes, options);
    return app;
  };
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'zapgate-dashboard-'));
    await mkdir(path.join(root, 'assets'));
    await writeFile(
      path.join(root, 'index.html'),
      '<!doctype html><script type="module" src="./assets/app-1a2b3c.js"></script>',
    );
    await writeFile(path.join(root, 'assets', 'app-1a2b3c.js'), 'console.log(1)');
  });
  afterAll(async () => {
    for (const t of servers) await t.close();
    await rm(root, { recursive: true, force: true });
  });

  it('serves index.html revalidated and hashed assets immutable, both under a strict CSP', async () => {
    const app = await bare({ root });
    const index = await app.inject('/');
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-security-policy']).toBe(dashboardCsp);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const asset = await app.inject('/assets/app-1a2b3c.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject('/assets/other.js')).statusCode).toBe(404);
    expect(dashboardCsp).toContain("script-src 'self'");
    expect(dashboardCsp).not.toMatch(/unsafe-(inline|eval)/);
    await app.close();
  });

  it('explains itself with 503 DASHBOARD_NOT_BUILT when the files are missing', async () => {
    const app = await bare({ root: path.join(root, 'missing') });
    const res = await app.inject('/');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'DASHBOARD_NOT_BUILT' });
    await app.close();
  });

  it('finds the built @zapgate/dashboard by default; API 404s stay JSON; not in OpenAPI', async () => {
    expect(existsSync(path.join(dashboardDir, 'index.html'))).toBe(true);
    const app = await start(undefined);
    const index = await app.inject('/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<div id="app"></div>');
    const script = /src="\.\/(assets\/index-[\w-]+\.js)"/.exec(index.body)?.[1];
    expect((await app.inject(`/${script}`)).headers['cache-control']).toContain('immutable');
    expect((await app.inject('/v1/nope')).json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
    expect((await app.inject('/nope.js')).json()).toMatchObject({ statusCode: 404, code: 'ROUTE_NOT_FOUND' });
    const doc = (await app.inject('/openapi.json')).json();
    const outsideApi = Object.keys(doc.paths).filter(
      (p) => !p.startsWith('/v1/') && !p.startsWith('/health') && p !== '/metrics',
    );
    expect(outsideApi).toEqual([]);
  });

  it('is turned off with dashboard: false', async () => {
    const app = await start(false);
    expect((await app.inject('/')).statusCode).toBe(404);
  });
});
