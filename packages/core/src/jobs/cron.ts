import type { SqlClient } from '../ports/sql.js';
import { lastTick, type RegisteredJob } from './registry.js';
import { jobsRepo } from './repo.js';

/** Enqueues cron jobs whose tick came, once per tick across processes; `wake` after each enqueue. */
export async function enqueueCronTicks(
  sql: SqlClient,
  jobs: ReadonlyMap<string, RegisteredJob>,
  wake: () => void,
): Promise<void> {
  const now = new Date();
  for (const job of jobs.values()) {
    if (!job.cron) continue;
    const tick = lastTick(job.cron, now);
    const enqueued = await sql.transaction(async (tx) => {
      if (!(await jobsRepo.advanceSchedule(tx, job.pluginId, job.name, tick))) return false;
      await jobsRepo.insert(tx, {
        pluginId: job.pluginId,
        name: job.name,
        payload: { tick: tick.toISOString() },
        lane: null,
        key: null,
        group: null,
        maxAttempts: job.maxAttempts,
        runAt: null,
        delayMs: 0,
      });
      return true;
    });
    if (enqueued) wake();
  }
}
