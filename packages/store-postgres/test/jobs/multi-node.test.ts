import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/index.js';
import { createTestDatabase } from '../helpers.js';
import { type JobsGateway, pause, startJobsGateway, type TestJobs, waitFor } from './harness.js';

// Several nodes share one Postgres (embedded PGlite is single-node by design).
describe('durable jobs on two gateways sharing one Postgres database', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const gateways: JobsGateway[] = [];
  const stores: ReturnType<typeof postgresStore>[] = [];
  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'zapgate_jobs_nodes' });
  });
  afterAll(async () => {
    for (const g of gateways) await g.stop().catch(() => {});
    for (const s of stores) await s.close().catch(() => {});
    await database.drop();
  });

  it('never runs one job twice or two jobs of a lane at once; each node runs some', async () => {
    const active = new Set<string>();
    const activeLanes = new Set<string>();
    const runs: { id: string; node: string; lane: string | null; index: number }[] = [];
    const overlaps: string[] = [];
    const jobsOf = (node: string): TestJobs => ({
      work: {
        concurrency: 4,
        async handle(job) {
          const { index } = job.payload as { index: number };
          if (active.has(job.id)) overlaps.push(`job ${job.id} twice at once`);
          if (job.lane && activeLanes.has(job.lane)) overlaps.push(`lane ${job.lane} twice at once`);
          active.add(job.id);
          if (job.lane) activeLanes.add(job.lane);
          runs.push({ id: job.id, node, lane: job.lane, index });
          await pause(5 + (index % 4) * 5);
          active.delete(job.id);
          if (job.lane) activeLanes.delete(job.lane);
        },
      },
    });
    for (const node of ['a', 'b']) {
      const store = postgresStore({ databaseUrl: database.url });
      stores.push(store);
      gateways.push(await startJobsGateway(store, jobsOf(node), { pollIntervalMs: 20, leaseMs: 30_000 }));
    }
    const [a, b] = gateways as [JobsGateway, JobsGateway];
    const total = 120;
    for (let index = 0; index < total; index++) {
      // alternate the enqueuing node; a third of the jobs have no lane
      const lane = index % 3 === 0 ? undefined : `lane-${index % 4}`;
      await (index % 2 ? a : b).jobs.enqueue('work', { index }, lane ? { lane } : {});
    }
    // every job finished (its row is deleted on success): nothing can run again
    await waitFor(
      async () => active.size === 0 && (await stores[0]!.sql.query('SELECT 1 FROM "jobs"')).length === 0,
      60_000,
    );
    expect(overlaps).toEqual([]);
    expect(runs).toHaveLength(total);
    expect(new Set(runs.map((r) => r.id)).size).toBe(total);
    expect(new Set(runs.map((r) => r.node))).toEqual(new Set(['a', 'b']));
    for (const lane of ['lane-0', 'lane-1', 'lane-2', 'lane-3']) {
      const indexes = runs.filter((r) => r.lane === lane).map((r) => r.index);
      expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
      expect(indexes.length).toBeGreaterThan(0);
    }
  });
});
