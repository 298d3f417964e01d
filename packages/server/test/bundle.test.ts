// The `zapgate` command as shipped: dist/bin/zapgate.js, the CLI bundled with esbuild
// (scripts/bundle.mjs, run by `build`). Each test starts it as a user does and checks what
// a bundle can break: files its dependencies find next to their own modules, the built-in
// plugins it carries, core's version, the order in which its modules run.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = path.resolve(import.meta.dirname, '..');
const bin = path.join(packageDir, 'dist', 'bin', 'zapgate.js');
const adminKey = 'zga_bundle-test-admin-key-0123456789abcdef';
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups) await cleanup();
});

/** Starts `zapgate start` from the bundle (no `--disable-proto` flag) and waits for its address. */
async function start(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess; output(): string }> {
  const child = spawn(process.execPath, [bin, 'start'], {
    cwd: packageDir,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ZAPGATE_ADMIN_KEY: adminKey,
      ZAPGATE_PLUGINS: 'webhooks,campaigns,chatwoot',
      LOG_LEVEL: 'warn',
      // nothing may reach WhatsApp from a test: a session would dial a closed port
      WA_WEBSOCKET_URL: 'ws://127.0.0.1:9/ws/chat',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  child.stdout?.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    text += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const found = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(text);
      if (found) resolve(found[1] as string);
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`zapgate exited ${code} before listening:\n${text}`)));
  });
  return { url, child, output: () => text };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', resolve);
  });

async function checkServer(url: string): Promise<void> {
  const auth = { authorization: `Bearer ${adminKey}` };
  const ready = await fetch(`${url}/health/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ok' });

  // the dashboard's built page (found next to @zapgate/dashboard's module)
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="app"');

  // Swagger UI's static files (found next to @fastify/swagger-ui's module)
  const css = await fetch(`${url}/docs/static/swagger-ui.css`);
  expect(css.status).toBe(200);
  expect(css.headers.get('content-type')).toContain('text/css');

  // the three built-in plugins, loaded from the bundle, each passed core's version check
  const paths = Object.keys(((await (await fetch(`${url}/openapi.json`)).json()) as { paths: object }).paths);
  expect(paths).toContain('/v1/webhooks');
  expect(paths.some((p) => p.includes('/campaigns'))).toBe(true);
  expect(paths.some((p) => p.includes('/chatwoot'))).toBe(true);

  // a request that stores and reads back
  const created = await fetch(`${url}/v1/sessions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bundled' }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const listed = (await (await fetch(`${url}/v1/sessions`, { headers: auth })).json()) as {
    items: { id: string }[];
  };
  expect(listed.items.map((s) => s.id)).toEqual([id]);
}

describe('the bundled zapgate command', () => {
  it('runs the harden module before any other module', () => {
    const entry = readFileSync(bin, 'utf8');
    expect(entry.startsWith('#!/usr/bin/env node\n')).toBe(true);
    const first = /^import "(\.\/[^"]+)";$/m.exec(entry)?.[1] as string;
    const chunk = readFileSync(path.join(path.dirname(bin), first), 'utf8');
    expect(chunk).toContain('delete Object.prototype.__proto__');
    // and that chunk imports nothing that could run before it (Node's own modules aside)
    const imported = [...chunk.matchAll(/^import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imported.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);
  });

  it('starts on embedded PGlite with every built-in plugin, serves the dashboard and docs, stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-bundle-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const server = await start({ ZAPGATE_DATA_DIR: dataDir });
    await checkServer(server.url);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);
  }, 90_000);

  it('starts on Postgres, and runs `migrate status` there', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-bundle-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { ZAPGATE_DATA_DIR: dataDir, DATABASE_URL: db.url };
    const server = await start(env);
    await checkServer(server.url);
    server.child.kill('SIGTERM');
    expect(await exited(server.child)).toBe(0);

    const status = spawnSync(process.execPath, [bin, 'migrate', 'status', '--json'], {
      cwd: packageDir,
      env: {
        ...process.env,
        ...env,
        ZAPGATE_ADMIN_KEY: adminKey,
        ZAPGATE_PLUGINS: 'webhooks,campaigns,chatwoot',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(status.status).toBe(0);
    const migrations = JSON.parse(status.stdout) as {
      owner: string;
      name: string;
      appliedAt: string | null;
    }[];
    // core's and the plugins' migrations, all applied by the start above
    expect(new Set(migrations.map((m) => m.owner))).toEqual(
      new Set(['core', 'webhooks', 'campaigns', 'chatwoot']),
    );
    expect(migrations.filter((m) => m.appliedAt === null)).toEqual([]);
  }, 90_000);
});
