import { RetryJobError } from '@zapgate/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeFactory } from '../helpers.js';
import { type JobsGateway, startJobsGateway, type TestJobs, waitFor } from './harness.js';

describe.each(backends)('batched jobs (handleBatch) on %s', (backend) => {
  const stores = storeFactory(backend);
  const running: JobsGateway[] = [];
  let schemas = 0;
  beforeAll(() => stores.setup());
  afterEach(async () => {
    for (const g of running.splice(0)) await g.stop();
  });
  afterAll(() => stores.teardown());

  async function start(jobs: TestJobs) {
    const store = stores.create({ schema: `jobs_batch_${backend}_${++schemas}` });
    const gateway = await startJobsGateway(store, jobs);
    running.push(gateway);
    return { ...gateway, store };
  }

  it('hands up to batchSize jobs of one group per call; a failed job is retried alone, a throw retries its call', async () => {
    const calls: { groups: (string | null)[]; names: string[] }[] = [];
    const runs = new Map<string, number[]>();
    const { jobs, store } = await start({
      send: {
        concurrency: 20,
        groupConcurrency: 10,
        batchSize: 4,
        async handleBatch(batch) {
          calls.push({ groups: batch.map((j) => j.group), names: batch.map((j) => j.payload.name) });
          for (const job of batch)
            runs.set(job.payload.name, [...(runs.get(job.payload.name) ?? []), job.attempt]);
          if (batch.some((job) => job.payload.name === 'b5' && job.attempt === 1)) throw new Error('boom');
          const failed = new Map<string, unknown>();
          for (const job of batch) {
            if (job.payload.name === 'a3' && job.attempt === 1)
              failed.set(job.id, new RetryJobError('later', { afterMs: 20 }));
          }
          return failed;
        },
      },
    });
    const names: string[] = [];
    // one commit: the first claim sees all 19 jobs, under the caps (20, 10 per group)
    await store.transaction(async (tx) => {
      const items = [
        ...Array.from({ length: 10 }, (_, i) => ({ name: `a${i}`, group: 'a' })),
        ...Array.from({ length: 6 }, (_, i) => ({ name: `b${i}`, group: 'b' })),
        ...Array.from({ length: 3 }, (_, i) => ({ name: `n${i}`, group: undefined })),
      ];
      for (const { name, group } of items) {
        names.push(name);
        await jobs.enqueue('send', { name }, { tx, ...(group ? { group } : {}) });
      }
    });
    await waitFor(async () => (await store.sql.query('SELECT 1 FROM "jobs"')).length === 0);

    // the first claim: a → 4, 4, 2; b → 4, 2; no group → 3; each call holds one group, in enqueue order
    expect(calls.slice(0, 6).map((c) => c.names)).toEqual([
      ['a0', 'a1', 'a2', 'a3'],
      ['a4', 'a5', 'a6', 'a7'],
      ['a8', 'a9'],
      ['b0', 'b1', 'b2', 'b3'],
      ['b4', 'b5'],
      ['n0', 'n1', 'n2'],
    ]);
    for (const call of calls) expect(new Set(call.groups).size).toBe(1);
    // a3 failed alone; the call with b5 threw, so b4 ran again too; every other job ran once
    for (const name of names) {
      expect(runs.get(name), name).toEqual(['a3', 'b4', 'b5'].includes(name) ? [1, 2] : [1]);
    }
  });

  it('a stop during a batch gives every job of it back untried', async () => {
    let started = 0;
    const { jobs, store, stop } = await start({
      wait: {
        batchSize: 8,
        concurrency: 8,
        async handleBatch(batch) {
          started += batch.length;
          await Promise.all(
            batch.map((job) => new Promise((resolve) => job.signal.addEventListener('abort', resolve))),
          );
          throw new Error('aborted');
        },
      },
    });
    await store.transaction(async (tx) => {
      for (let i = 0; i < 5; i++) await jobs.enqueue('wait', { i }, { tx });
    });
    await waitFor(() => started === 5);
    await stop();
    const rows = await store.sql.query<{ status: string; attempts: number }>(
      'SELECT "status", "attempts" FROM "jobs"',
    );
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.status === 'queued' && Number(r.attempts) === 0)).toBe(true);
  });

  it('refuses a definition with both handle and handleBatch, or a bad batchSize', async () => {
    const store = stores.create({ schema: `jobs_batch_${backend}_${++schemas}` });
    const both = startJobsGateway(store, {
      twice: { async handle() {}, handleBatch: async () => undefined },
      sized: { batchSize: 0, handleBatch: async () => undefined },
    });
    await expect(both).rejects.toMatchObject({ code: 'PLUGIN_INVALID_DEFINITION' });
    await expect(both).rejects.toThrow(/twice.*one of handle and handleBatch.*sized.*batchSize/);
  });
});
