import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGatewayError } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/hold-pglite.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Another process holding the directory, like a second node started on it. */
async function holder(dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@zapgate/source', fixture, dataDir],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return child;
}

describe('embedded PGlite is single-node', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-lock-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('refuses a second process on the same directory, naming the holder, and opens once it is gone', async () => {
    const child = await holder(dataDir);
    let error: unknown = null;
    try {
      postgresStore({ dataDir });
    } catch (e) {
      error = e;
    }
    expect(isGatewayError(error) && error.code).toBe('STORE_POSTGRES_PGLITE_IN_USE');
    expect((error as Error).message).toContain(`in use by process ${child.pid}`);
    expect((error as Error).message).toContain('DATABASE_URL');

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0); // closed cleanly (a failed close prints why on stderr)
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    const store = postgresStore({ dataDir });
    await store.init();
    await store.close();
  }, 120_000);

  it('takes over a lock left by a process that died without closing (kill -9)', async () => {
    const child = await holder(dataDir);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(path.join(dataDir, 'pglite.lock'))).toBe(true);
    const store = postgresStore({ dataDir });
    await store.init();
    // and a restart takes its old sessions back at once: no other node can hold their leases
    const session = await store.sessions.create({ name: 'mine', settings: {} as never });
    await store.leases.claim('old-run', [session.id], 60_000);
    await store.leases.join({ id: 'new-run', url: null });
    expect(await store.leases.claim('new-run', [session.id], 60_000)).toEqual([
      { sessionId: session.id, epoch: 2 },
    ]);
    await store.close();
  }, 120_000);
});
