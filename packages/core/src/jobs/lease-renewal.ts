import type { Logger } from '../logger.js';
import type { SqlClient } from '../ports/sql.js';
import { type ClaimedJob, jobsRepo } from './repo.js';

/** A job this process runs. */
export interface Running {
  job: ClaimedJob;
  abort: AbortController;
  /** The lease was lost (another process may run the job): nothing is written back. */
  lost: boolean;
  /** The handler returned: the lease no longer matters. */
  finished: boolean;
}

/** Renews the leases of running jobs; a job whose lease was lost is aborted. */
export async function renewLeases(
  sql: SqlClient,
  running: Iterable<Running>,
  leaseMs: number,
  logger: Logger,
): Promise<void> {
  const entries = [...running].filter((e) => !e.lost && !e.finished);
  const held = await jobsRepo.renew(
    sql,
    entries.map((e) => ({ id: e.job.id, token: e.job.claimToken })),
    leaseMs,
  );
  for (const entry of entries) {
    // finished meanwhile: its row is gone for a good reason
    if (held.has(entry.job.id) || entry.finished) continue;
    entry.lost = true;
    entry.abort.abort(new Error('The job lease was lost'));
    logger.warn({ jobId: entry.job.id, job: entry.job.name }, 'job lease lost; run aborted');
  }
}
