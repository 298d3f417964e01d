import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, createTestDatabase } from '../helpers.js';
import { waitFor } from './harness.js';

const packageDir = path.resolve(import.meta.dirname, '../..');

function startProcess(env: Record<string, string>) {
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@zapgate/source', '--import', 'tsx', 'test/jobs/fixtures/jobs-process.ts'],
    { cwd: packageDir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

interface RunRow {
  jobId: string;
  lane: string;
  index: number;
  event: 'start' | 'end';
  pid: number;
  attempt: number;
}

const total = 30;
const hangIndex = 16; // lane-1

describe.each(backends)('a job survives SIGKILL on %s', (backend) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  it('runs every job to completion after a restart, one at a time per lane, in lane order', {
    timeout: 300_000,
  }, async () => {
    const env: Record<string, string> = { TOTAL: String(total), LANES: '3' };
    let query: (text: string) => Promise<Record<string, unknown>[]>;
    if (backend === 'postgres') {
      const database = await createTestDatabase({ prefix: 'zapgate_jobs_crash' });
      cleanups.push(() => database.drop());
      env.DATABASE_URL = database.url;
      query = async (text) => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          return (await client.query(text)).rows;
        } finally {
          await client.end();
        }
      };
    } else {
      const dir = await mkdtemp(path.join(tmpdir(), 'zapgate-jobs-'));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      env.DATA_DIR = dir;
      // PGlite is single-process: read its files only while no gateway process has them open
      query = async (text) => {
        const db = await PGlite.create(path.join(dir, 'pglite'));
        try {
          return (await db.query<Record<string, unknown>>(text)).rows;
        } finally {
          await db.close();
        }
      };
    }

    const first = startProcess({ ...env, HANG_INDEX: String(hangIndex) });
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    await waitFor(() => first.output().includes(`start ${hangIndex}\n`), 90_000).catch((error) => {
      throw new Error(`${error.message}\n${first.output()}`);
    });
    first.child.kill('SIGKILL');
    await first.exited;
    const firstPid = first.child.pid;

    const second = startProcess(env);
    cleanups.push(async () => void second.child.kill('SIGKILL'));
    const endedIn = (output: string) => new Set([...output.matchAll(/^end (\d+)$/gm)].map((m) => m[1]));
    await waitFor(
      () => new Set([...endedIn(first.output()), ...endedIn(second.output())]).size === total,
      120_000,
    ).catch((error) => {
      throw new Error(`${error.message}\n${second.output()}`);
    });
    second.child.kill('SIGTERM');
    await second.exited;

    const rows = (await query(
      `SELECT "jobId", "lane", "index", "event", "pid", "attempt" FROM "jobRuns" ORDER BY "seq"`,
    )) as unknown as RunRow[];
    expect(await query('SELECT 1 FROM "jobs"')).toEqual([]);
    const ended = new Set(rows.filter((r) => r.event === 'end').map((r) => r.index));
    expect([...ended].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
    // the hanging job was killed mid-run by the first process and completed by the second
    const hung = rows.filter((r) => r.index === hangIndex);
    expect(hung).toEqual([
      expect.objectContaining({ event: 'start', pid: firstPid, attempt: 1 }),
      expect.objectContaining({ event: 'start', pid: second.child.pid, attempt: 2 }),
      expect.objectContaining({ event: 'end', pid: second.child.pid, attempt: 2 }),
    ]);
    for (const lane of ['lane-0', 'lane-1', 'lane-2']) {
      const events = rows.filter((r) => r.lane === lane);
      // one at a time: every start is followed by its end, except the killed run
      // (or, for a run the kill cut short, by the same job's run in the second process)
      for (let i = 0; i < events.length; i++) {
        const row = events[i]!;
        if (row.event !== 'start') continue;
        const next = events[i + 1];
        if (next?.event === 'start' && row.pid === firstPid) {
          expect(next).toMatchObject({ index: row.index, jobId: row.jobId, pid: second.child.pid });
          continue;
        }
        expect(next).toMatchObject({ event: 'end', index: row.index, jobId: row.jobId });
      }
      // in lane order: indexes of the starts never go back
      const starts = events.filter((r) => r.event === 'start').map((r) => r.index);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
    }
  });
});
