import { PermanentJobError, RetryJobError } from '@zapgate/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeFactory } from '../helpers.js';
import { type JobsGateway, pause, startJobsGateway, type TestJobs, waitFor } from './harness.js';

describe.each(backends)('durable jobs on %s', (backend) => {
  const stores = storeFactory(backend);
  const running: JobsGateway[] = [];
  let schemas = 0;
  beforeAll(() => stores.setup());
  // PGlite has one session for every store of the file: a runner left running would see the
  // next test's tables, so each test stops its gateways
  afterEach(async () => {
    for (const g of running.splice(0)) await g.stop();
  });
  afterAll(() => stores.teardown());

  async function start(jobs: TestJobs, tuning?: { pollIntervalMs?: number; leaseMs?: number }) {
    const store = stores.create({ schema: `jobs_${backend}_${++schemas}` });
    const gateway = await startJobsGateway(store, jobs, tuning);
    running.push(gateway);
    return { ...gateway, store };
  }

  it('runs an enqueued job once with its payload, then removes it', async () => {
    const runs: unknown[] = [];
    const { jobs, store } = await start({
      hello: {
        async handle(job) {
          runs.push({ payload: job.payload, attempt: job.attempt, name: job.name, lane: job.lane });
        },
      },
    });
    const { id, duplicate } = await jobs.enqueue('hello', { to: 'world' });
    expect(duplicate).toBe(false);
    await waitFor(() => runs.length === 1);
    expect(runs).toEqual([{ payload: { to: 'world' }, attempt: 1, name: 'hello', lane: null }]);
    await waitFor(
      async () => (await store.sql.query('SELECT 1 FROM "jobs" WHERE "id" = ?', [id])).length === 0,
    );
  });

  it('refuses a job name the plugin does not declare and invalid options', async () => {
    const { jobs } = await start({ known: { async handle() {} } });
    await expect(jobs.enqueue('unknown', {})).rejects.toMatchObject({ code: 'JOB_NOT_DECLARED' });
    await expect(jobs.enqueue('known', {}, { delayMs: -1 })).rejects.toMatchObject({
      code: 'JOB_INVALID_OPTIONS',
    });
    await expect(jobs.enqueue('known', {}, { lane: '' })).rejects.toMatchObject({
      code: 'JOB_INVALID_OPTIONS',
    });
    await expect(jobs.cancel({})).rejects.toMatchObject({ code: 'JOB_INVALID_OPTIONS' });
  });

  it('runs the jobs of one lane one at a time in enqueue order; lanes run in parallel', async () => {
    const log: { lane: string; index: number; event: 'start' | 'end' }[] = [];
    let active = 0;
    let maxActive = 0;
    const { jobs } = await start({
      step: {
        concurrency: 4,
        async handle(job) {
          const { lane, index } = job.payload as { lane: string; index: number };
          log.push({ lane, index, event: 'start' });
          active += 1;
          maxActive = Math.max(maxActive, active);
          await pause(5 + ((index * 7) % 11));
          active -= 1;
          log.push({ lane, index, event: 'end' });
        },
      },
    });
    const lanes = ['a', 'b', 'c'];
    for (let index = 0; index < 15; index++) {
      for (const lane of lanes) await jobs.enqueue('step', { lane, index }, { lane });
    }
    await waitFor(() => log.filter((e) => e.event === 'end').length === 45);
    for (const lane of lanes) {
      const events = log.filter((e) => e.lane === lane);
      // strictly alternating start/end of consecutive indexes: never two at a time, in order
      expect(events).toEqual(
        Array.from({ length: 15 }, (_, index) => [
          { lane, index, event: 'start' },
          { lane, index, event: 'end' },
        ]).flat(),
      );
    }
    expect(maxActive).toBeGreaterThan(1);
  });

  it('caps running jobs per name (concurrency)', async () => {
    let active = 0;
    let maxActive = 0;
    let done = 0;
    const { jobs } = await start({
      capped: {
        concurrency: 2,
        async handle() {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await pause(20);
          active -= 1;
          done += 1;
        },
      },
    });
    for (let i = 0; i < 10; i++) await jobs.enqueue('capped', { i });
    await waitFor(() => done === 10);
    expect(maxActive).toBe(2);
  });

  it('de-duplicates by key while the job is queued or running, not after', async () => {
    const runs: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { jobs } = await start({
      sync: {
        async handle(job) {
          runs.push(job.id);
          await gate;
        },
      },
    });
    const first = await jobs.enqueue('sync', { n: 1 }, { key: 'contact-1' });
    const queuedAgain = await jobs.enqueue('sync', { n: 2 }, { key: 'contact-1' });
    expect(queuedAgain).toEqual({ id: first.id, duplicate: true });
    await waitFor(() => runs.length === 1);
    const runningAgain = await jobs.enqueue('sync', { n: 3 }, { key: 'contact-1' });
    expect(runningAgain).toEqual({ id: first.id, duplicate: true });
    const other = await jobs.enqueue('sync', { n: 4 }, { key: 'contact-2' });
    expect(other.duplicate).toBe(false);
    release();
    await waitFor(() => runs.length === 2);
    // both finished: the key is free again
    await waitFor(async () => {
      const again = await jobs.enqueue('sync', { n: 5 }, { key: 'contact-1' });
      return !again.duplicate && again.id !== first.id;
    });
    await waitFor(() => runs.length === 3);
    expect(new Set(runs).size).toBe(3);
  });

  it('does not run a job before runAt / delayMs', async () => {
    const ranAt = new Map<string, number>();
    const { jobs } = await start({
      later: {
        async handle(job) {
          ranAt.set((job.payload as { tag: string }).tag, Date.now());
        },
      },
    });
    const t0 = Date.now();
    await jobs.enqueue('later', { tag: 'runAt' }, { runAt: new Date(t0 + 1500) });
    await jobs.enqueue('later', { tag: 'delay' }, { delayMs: 1000 });
    await jobs.enqueue('later', { tag: 'now' });
    await waitFor(() => ranAt.size === 3);
    expect(ranAt.get('runAt')!).toBeGreaterThanOrEqual(t0 + 1500 - 50); // clock of the database vs ours
    expect(ranAt.get('delay')!).toBeGreaterThanOrEqual(t0 + 1000 - 50);
    expect(ranAt.get('now')!).toBeLessThan(ranAt.get('delay')!);
  });

  it('caps running jobs per group; a group paused by groupLimits waits untried while others run', async () => {
    const active = new Map<string, number>();
    const maxActive = new Map<string, number>();
    const done: string[] = [];
    let paused = true;
    const { jobs, store } = await start({
      hit: {
        concurrency: 6,
        groupConcurrency: 2,
        groupLimits: () => (paused ? [['dead', 0] as const] : []),
        async handle(job) {
          const group = job.group!;
          active.set(group, (active.get(group) ?? 0) + 1);
          maxActive.set(group, Math.max(maxActive.get(group) ?? 0, active.get(group)!));
          await pause(15);
          active.set(group, active.get(group)! - 1);
          done.push(group);
        },
      },
    });
    // one commit: the first claim sees every job, so only the caps limit it
    await store.transaction(async (tx) => {
      for (let i = 0; i < 8; i++) {
        for (const group of ['a', 'b', 'dead']) await jobs.enqueue('hit', { i }, { group, tx });
      }
    });
    await waitFor(() => done.filter((g) => g !== 'dead').length === 16);
    expect(done.filter((g) => g === 'dead')).toEqual([]);
    expect(maxActive.get('a')).toBe(2);
    expect(maxActive.get('b')).toBe(2);
    paused = false;
    await waitFor(() => done.length === 24);
    expect(maxActive.get('dead')).toBeLessThanOrEqual(2);
  });

  it('a job enqueued in a committed transaction starts without waiting for the poll (NOTIFY)', async () => {
    const started: number[] = [];
    const { jobs, store } = await start(
      {
        quick: {
          async handle() {
            started.push(Date.now());
          },
        },
      },
      { pollIntervalMs: 60_000 },
    );
    // the first poll ran at start; from here on only a wake-up can start the job
    await pause(100);
    const committed = await store.transaction(async (tx) => {
      await jobs.enqueue('quick', {}, { tx });
      return Date.now();
    });
    await waitFor(() => started.length === 1, 10_000);
    expect(started[0]! - committed).toBeLessThan(5_000);
  });

  it('enqueueMany inserts in one statement, in order, skipping keys already queued', async () => {
    const runs: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { jobs } = await start({
      many: {
        concurrency: 1,
        async handle(job) {
          await gate;
          runs.push((job.payload as { n: number }).n);
        },
      },
    });
    const first = await jobs.enqueueMany('many', [
      { payload: { n: 1 }, options: { key: 'k1', lane: 'l' } },
      { payload: { n: 2 }, options: { key: 'k2', lane: 'l' } },
    ]);
    expect(first).toHaveLength(2);
    const second = await jobs.enqueueMany('many', [
      { payload: { n: 3 }, options: { key: 'k2', lane: 'l' } },
      { payload: { n: 4 }, options: { lane: 'l' } },
    ]);
    expect(second).toHaveLength(1);
    await expect(jobs.enqueueMany('many', [{ payload: {}, options: { group: '' } }])).rejects.toMatchObject({
      code: 'JOB_INVALID_OPTIONS',
    });
    release();
    await waitFor(() => runs.length === 3);
    expect(runs).toEqual([1, 2, 4]);
  });

  it('retries a failing job with backoff until it succeeds', async () => {
    const attempts: number[] = [];
    const { jobs, store } = await start({
      flaky: {
        backoff: { initialMs: 10, maxMs: 50 },
        async handle(job) {
          attempts.push(job.attempt);
          if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
        },
      },
    });
    await jobs.enqueue('flaky', {});
    await waitFor(async () => (await store.sql.query('SELECT 1 FROM "jobs"')).length === 0);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('RetryJobError waits exactly its delay; PermanentJobError and the last attempt make a dead letter, retried over the dead-letter API', async () => {
    const times: number[] = [];
    let failingFixed = false;
    const revived: unknown[] = [];
    const { jobs, store, gateway } = await start({
      later: {
        async handle(job) {
          times.push(Date.now());
          if (job.attempt === 1) throw new RetryJobError('window closed', { afterMs: 800 });
        },
      },
      hopeless: {
        async handle() {
          throw new PermanentJobError('recipient is gone');
        },
      },
      failing: {
        maxAttempts: 3,
        backoff: { initialMs: 1, maxMs: 5 },
        async handle(job) {
          if (failingFixed) {
            revived.push({ payload: job.payload, attempt: job.attempt, group: job.group });
            return;
          }
          throw new Error(`failure ${job.attempt}`);
        },
      },
    });
    await jobs.enqueue('later', {});
    const hopeless = await jobs.enqueue('hopeless', { x: 1 });
    const failing = await jobs.enqueue('failing', { x: 2 }, { group: 'g' });
    await waitFor(() => times.length === 2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(800 - 50);
    const dead = await waitFor(async () => {
      const page = await gateway.deadLetters.list({ kind: 'job' });
      return page.items.length === 2 ? page.items : null;
    });
    expect(
      dead
        .map(({ kind, pluginId, name, payload, error, attempts }) => ({
          kind,
          pluginId,
          name,
          payload,
          error,
          attempts,
        }))
        .sort((a, b) => a.attempts - b.attempts),
    ).toEqual([
      {
        kind: 'job',
        pluginId: 'jobs-test',
        name: 'hopeless',
        payload: { payload: { x: 1 }, lane: null, key: null, group: null },
        error: 'PermanentJobError: recipient is gone',
        attempts: 1,
      },
      {
        kind: 'job',
        pluginId: 'jobs-test',
        name: 'failing',
        payload: { payload: { x: 2 }, lane: null, key: null, group: 'g' },
        error: 'Error: failure 3',
        attempts: 3,
      },
    ]);
    // a dead job leaves the queue (its lane and key are free again)
    const left = await store.sql.query('SELECT "id" FROM "jobs" WHERE "id" IN (?, ?)', [
      hopeless.id,
      failing.id,
    ]);
    expect(left).toEqual([]);
    // retried: queued again with fresh attempts, same payload and group, the letter removed
    const letter = dead.find((d) => d.name === 'failing')!;
    failingFixed = true;
    await gateway.deadLetters.retry(letter.id);
    await waitFor(() => revived.length === 1);
    expect(revived).toEqual([{ payload: { x: 2 }, attempt: 1, group: 'g' }]);
    await expect(gateway.deadLetters.get(letter.id)).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it('enqueues in a store transaction: rolled back → no job; committed → runs', async () => {
    const runs: unknown[] = [];
    const { jobs, store } = await start({
      tx: {
        async handle(job) {
          runs.push(job.payload);
        },
      },
    });
    await expect(
      store.transaction(async (tx) => {
        await jobs.enqueue('tx', { n: 'rolled back' }, { tx });
        throw new Error('abort the transaction');
      }),
    ).rejects.toThrow('abort the transaction');
    await store.transaction(async (tx) => {
      await jobs.enqueue('tx', { n: 'committed' }, { tx });
    });
    await waitFor(async () => (await store.sql.query('SELECT 1 FROM "jobs"')).length === 0);
    expect(runs).toEqual([{ n: 'committed' }]);
  });

  it('cancels queued jobs by lane, key or name', async () => {
    const runs: string[] = [];
    const { jobs, store } = await start({
      a: {
        async handle(job) {
          runs.push(String((job.payload as { tag: string }).tag));
        },
      },
    });
    const later = new Date(Date.now() + 60_000);
    await jobs.enqueue('a', { tag: 'lane-x-1' }, { lane: 'x', runAt: later });
    await jobs.enqueue('a', { tag: 'lane-x-2' }, { lane: 'x', runAt: later });
    await jobs.enqueue('a', { tag: 'key-k' }, { key: 'k', runAt: later });
    await jobs.enqueue('a', { tag: 'other' }, { runAt: later });
    expect(await jobs.cancel({ lane: 'x' })).toBe(2);
    expect(await jobs.cancel({ key: 'k' })).toBe(1);
    expect(await jobs.cancel({ name: 'nope' })).toBe(0);
    const left = await store.sql.query<{ payload: unknown }>('SELECT "payload" FROM "jobs"');
    expect(left.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload))).toEqual([
      { tag: 'other' },
    ]);
    expect(await jobs.cancel({ name: 'a' })).toBe(1);
    expect(runs).toEqual([]);
  });

  it('enqueues a cron job once per tick across two gateways on one database', async () => {
    const ticks: string[] = [];
    const definition = {
      every: {
        cron: '* * * * * *',
        async handle(job: { payload: unknown }) {
          ticks.push((job.payload as { tick: string }).tick);
        },
      },
    };
    const schema = `jobs_${backend}_${++schemas}`;
    const a = await startJobsGateway(stores.create({ schema }), definition);
    running.push(a);
    const b = await startJobsGateway(stores.create({ schema }), definition);
    running.push(b);
    await waitFor(() => ticks.length >= 4, 30_000);
    expect(new Set(ticks).size).toBe(ticks.length);
    for (const tick of ticks) expect(new Date(tick).getUTCMilliseconds()).toBe(0);
  });
});
