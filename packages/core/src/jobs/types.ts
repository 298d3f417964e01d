import type { PluginContext } from '../plugin/types.js';
import type { PluginRepositories } from '../ports/store.js';

/** One run of a job, as its handler receives it. */
export interface JobRun<P = unknown> {
  id: string;
  /** The job's name (a key of the plugin's `jobs`). */
  name: string;
  payload: P;
  /** 1 on the first run, 2 on the first retry... */
  attempt: number;
  lane: string | null;
  key: string | null;
  group: string | null;
  /**
   * Aborted when the gateway stops (the job is given back untried and runs again later) or
   * when this process lost the job's lease (another process may run it now).
   */
  signal: AbortSignal;
}

/**
 * A kind of job a plugin runs, declared under the plugin's `jobs` by name.
 *
 * A job runs at least once (a process killed mid-run leaves it to be run again when its
 * lease expires), so handlers must be idempotent. Throw to have it retried:
 * any error → exponential backoff with full jitter; {@link RetryJobError} → after exactly
 * its `afterMs`; {@link PermanentJobError} → a dead letter at once. After `maxAttempts`
 * failed runs the job becomes a dead letter (listed and retryable over REST).
 */
export interface JobDefinition<P = unknown, Options = unknown> {
  /**
   * Runs the job; resolve when done. Declared as a method so `ctx` stays bivariant. Give either
   * `handle` or {@link JobDefinition.handleBatch}.
   */
  handle?(job: JobRun<P>, ctx: PluginContext<Options>): Promise<void>;
  /**
   * Runs several claimed jobs of this name and one `group` in one call (at most `batchSize`),
   * so a handler can load and record them with one statement each instead of one per job.
   * Jobs are claimed as they are now (a busy queue hands bigger batches, an idle one hands
   * single jobs at once); each job holds its own slot, lease and `signal`. Resolves to the
   * jobs that failed, by job id, with the error `handle` would have thrown (retried,
   * {@link RetryJobError}, {@link PermanentJobError}); every job not in it succeeded.
   * Throwing fails every job of the call with that error.
   *
   * @example
   * async handleBatch(jobs, ctx) {
   *   const failed = new Map<string, unknown>();
   *   const rows = await load(jobs.map((job) => job.payload.id));
   *   await Promise.all(jobs.map((job) => send(rows.get(job.payload.id)).catch((e) => failed.set(job.id, e))));
   *   return failed;
   * }
   */
  handleBatch?(
    jobs: readonly JobRun<P>[],
    ctx: PluginContext<Options>,
  ): Promise<ReadonlyMap<string, unknown> | undefined>;
  /** Most jobs of one `handleBatch` call (ignored with `handle`). @default 32 */
  batchSize?: number;
  /** Max jobs of this name running at once in one process (a batch holds one per job). @default 4 */
  concurrency?: number;
  /**
   * Max jobs of this name and one `group` (see {@link EnqueueOptions.group}) running at once in
   * one process, so one slow group (a dead webhook endpoint) holds at most its own slots.
   * @default concurrency (no cap per group)
   */
  groupConcurrency?: number;
  /**
   * Asked before each claim: groups that may start fewer jobs than `groupConcurrency` right
   * now, with how many (0 pauses a group: its jobs stay queued, untried and uncounted). For a
   * circuit breaker kept by the plugin. @default none
   */
  groupLimits?(): Iterable<readonly [group: string, limit: number]>;
  /** Runs before the job becomes a dead letter (an `enqueue` may override it). @default 10 */
  maxAttempts?: number;
  /**
   * Exponential backoff with full jitter: the delay after failed run `n` is a random value in
   * `[0, min(maxMs, initialMs * 2^(n-1))]`.
   * @default { initialMs: 1000, maxMs: 300_000 }
   */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Cron expression (5 fields, or 6 with seconds first; UTC): the job is enqueued on each tick,
   * once per tick across every process on the database, with the payload `{ tick }` (ISO time
   * of the tick). Ticks missed while no process ran are not made up. @default none
   */
  cron?: string;
}

/** Options of {@link PluginJobs.enqueue}. */
export interface EnqueueOptions {
  /** Earliest time the job runs. @default now */
  runAt?: Date;
  /** Delay before the job runs (ignored when `runAt` is given). @default 0 */
  delayMs?: number;
  /**
   * Serial lane (per plugin): jobs with the same lane run one at a time, in enqueue order,
   * across every process; a job waiting for a retry holds its lane. @default none (no order)
   */
  lane?: string;
  /**
   * De-duplication key: while a job of the same name and key is queued or running, enqueueing
   * another one does nothing (`duplicate: true`, the existing job's id). @default none
   */
  key?: string;
  /**
   * Concurrency group (per job name): at most the definition's `groupConcurrency` jobs of one
   * group run at once per process, and `groupLimits` can pause a group. Unlike a lane, a group
   * keeps no order. @default none
   */
  group?: string;
  /** Overrides the definition's `maxAttempts` for this job. */
  maxAttempts?: number;
  /**
   * The store transaction to enqueue in (the `tx` of `store.transaction`): the job exists only
   * if that transaction commits. @default its own statement
   */
  tx?: PluginRepositories;
}

/** What {@link PluginJobs.enqueue} answers. */
export interface Enqueued {
  /** The new job's id, or the queued/running duplicate's. */
  id: string;
  /** True when a job with the same name and key was already queued or running. */
  duplicate: boolean;
}

/** One job of {@link PluginJobs.enqueueMany}. */
export interface ManyJob<P = unknown> {
  payload: P;
  /** Per-job options (a transaction is given for the whole call). */
  options?: Omit<EnqueueOptions, 'tx'>;
}

/** Which queued jobs {@link PluginJobs.cancel} removes (at least one field). */
export interface CancelFilter {
  name?: string;
  lane?: string;
  key?: string;
}

/** A plugin's durable jobs (`ctx.jobs`): jobs of the names it declared under `jobs`. */
export interface PluginJobs {
  /**
   * Enqueues a job of a declared name. The payload is stored as JSON.
   *
   * @example
   * await ctx.jobs.enqueue('send-step', { campaignId }, { lane: campaignId, delayMs: 5000 });
   * await store.transaction(async (tx) => {
   *   await tx.sql!.query('UPDATE ...');
   *   await ctx.jobs.enqueue('sync', { id }, { tx, key: id });
   * });
   */
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<Enqueued>;
  /**
   * Enqueues several jobs of one name in one statement (`tx`: in that transaction). A job
   * whose `key` is already queued or running is skipped; resolves to the new jobs' ids.
   *
   * @example
   * await ctx.jobs.enqueueMany('deliver', ids.map((id) => ({ payload: { id }, options: { key: id } })));
   */
  enqueueMany<P>(
    name: string,
    jobs: readonly ManyJob<P>[],
    options?: { tx?: PluginRepositories },
  ): Promise<string[]>;
  /** Cancels this plugin's queued (not running) jobs matching every given field; returns how many. */
  cancel(filter: CancelFilter): Promise<number>;
}
