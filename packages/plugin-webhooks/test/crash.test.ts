import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase, Receiver } from './helpers.js';

const packageDir = path.resolve(import.meta.dirname, '..');

/**
 * Starting the child is slow on a busy machine (tsx compiles the sources, and a fresh PGlite
 * data dir takes about a minute to create under load): its start is awaited on its own
 * readiness line, with a generous limit, before deliveries are timed.
 */
const startLimitMs = 240_000;

function startProcess(env: Record<string, string>): {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  /** Resolves once the gateway in the child has started; rejects if it exits or takes too long. */
  ready: Promise<void>;
} {
  let output = '';
  let onReady: () => void = () => {};
  const child = spawn(
    process.execPath,
    ['--conditions=@zapgate/source', '--import', 'tsx', 'test/fixtures/gateway-process.ts'],
    { cwd: packageDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the gateway process did not start within ${startLimitMs}ms\n${output}`)),
      startLimitMs,
    );
    onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway process exited (${code}) before it started\n${output}`));
    });
  });
  child.stdout!.on('data', (chunk) => {
    output += chunk;
    if (/started with \d+ events/.test(output)) onReady();
  });
  child.stderr!.on('data', (chunk) => (output += chunk));
  return { child, exited, output: () => output, ready };
}

const burstIndex = (chatJid: unknown) => Number(/^burst-(\d+)@/.exec(String(chatJid))?.[1]);

describe.each(backends)('crash safety on %s', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('SIGKILL in the middle of a burst of 1,000 events: every event is delivered after restart, duplicates share webhook-id', {
    timeout: 2 * startLimitMs + 180_000,
  }, async () => {
    const receiver = await new Receiver().listen();
    cleanups.push(() => receiver.close());
    // Slow enough answers that requests are in flight when the process dies.
    receiver.respond = () => ({ status: 200, delayMs: 15 });
    const env: Record<string, string> = { RECEIVER_URL: `${receiver.url}/burst`, TOTAL: '1000' };
    if (backend === 'postgres') {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      env.DATABASE_URL = database.url;
    } else {
      const dir = await mkdtemp(path.join(tmpdir(), 'zapgate-webhooks-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      env.DATA_DIR = dir;
    }
    const distinct = () => new Set(receiver.requests.map((q) => q.headers['webhook-id'])).size;

    const first = startProcess(env);
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    await first.ready;
    await receiver
      .waitFor(() => distinct() >= 250, 45_000)
      .catch((error) => {
        throw new Error(`${error.message}\n${first.output()}`);
      });
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = distinct();
    const t0 = Date.now();
    expect(atKill).toBeLessThan(1000);

    const second = startProcess(env);
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    await second.ready;
    await receiver
      .waitFor(() => distinct() === 1000, 60_000)
      .catch((error) => {
        throw new Error(`${error.message}\n${second.output()}`);
      });
    console.info(`${backend}: restart to all delivered ${Date.now() - t0}ms`);
    second.child.kill('SIGTERM');
    await second.exited;

    const byId = new Map<string, string[]>();
    for (const request of receiver.requests) {
      const id = String(request.headers['webhook-id']);
      expect(request.json.id).toBe(id);
      byId.set(id, [...(byId.get(id) ?? []), request.body]);
    }
    const indexes = [...byId.values()].map((bodies) => burstIndex(JSON.parse(bodies[0]!).data.chatJid));
    expect(indexes.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (const bodies of byId.values()) expect(new Set(bodies).size).toBe(1);
    const duplicates = receiver.requests.length - byId.size;
    console.info(
      `${backend}: killed after ${atKill} distinct deliveries; ${duplicates} duplicate(s) after restart`,
    );
  });
});
