import { runInContext } from '../context.js';
import { GatewayError } from '../errors.js';
import type { GatewayTuning } from '../gateway/options.js';
import type { Logger } from '../logger.js';
import type { Counter, Histogram, Metrics } from '../metrics.js';
import { createScheduler, type Scheduler } from '../plugin/scheduler.js';
import type { PluginContext } from '../plugin/types.js';
import type { SqlClient } from '../ports/sql.js';
import { jobBackoffDelay, PermanentJobError, RetryJobError } from './errors.js';
import { lastTick, type RegisteredJob } from './registry.js';
import { type ClaimedJob, jobsRepo } from './repo.js';
import type { CancelFilter, Enqueued, EnqueueOptions, PluginJobs } from './types.js';

/** What the runner needs from the gateway. */
export interface JobRunnerDeps {
  /** The store's SQL; without it jobs cannot be enqueued (plugins with jobs are refused at boot). */
  sql: SqlClient | undefined;
  jobs: ReadonlyMap<string, RegisteredJob>;
  tuning: GatewayTuning['jobs'];
  logger: Logger;
  metrics: Metrics;
  /** The context handlers receive (resolved lazily: contexts hold the runner's `PluginJobs`). */
  contextOf(pluginId: string): PluginContext;
}

interface Running {
  job: ClaimedJob;
  abort: AbortController;
  /** The lease was lost (another process may run the job): nothing is written back. */
  lost: boolean;
  /** The handler returned: the lease no longer matters. */
  finished: boolean;
}

const errorTextLength = 2048;

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, errorTextLength);
}

const isPermanent = (error: unknown) =>
  error instanceof PermanentJobError || (error as Error | null)?.name === 'PermanentJobError';

function retryAfterOf(error: unknown): number | null {
  if (error instanceof RetryJobError) return error.afterMs;
  const afterMs = (error as { name?: unknown; afterMs?: unknown } | null)?.afterMs;
  return (error as Error | null)?.name === 'RetryJobError' && typeof afterMs === 'number' ? afterMs : null;
}

/**
 * Runs every plugin's durable jobs in this process. Due jobs are claimed in one statement
 * (`FOR UPDATE SKIP LOCKED`, so any number of processes can run a runner on one database)
 * with a lease that is renewed while the handler runs; a killed process's jobs are claimed
 * again when their leases expire. Each job name has its own slots (`concurrency`), so a slow
 * kind of job never holds the others'. Results are written back under the claim token.
 */
export class JobRunner {
  private readonly running = new Map<string, Running>();
  private readonly settled = new Set<Promise<void>>();
  private readonly inflight = new Map<string, number>();
  private scheduler: Scheduler;
  private readonly runs: Counter;
  private readonly duration: Histogram;
  private pumping = false;
  private again = false;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: JobRunnerDeps) {
    this.scheduler = createScheduler(deps.logger);
    this.runs = deps.metrics.counter(
      'zapgate_jobs_total',
      'Job runs by plugin, job name and result (success, retry, dead, released, lost)',
      ['plugin', 'name', 'result'],
    );
    this.duration = deps.metrics.histogram(
      'zapgate_job_duration_seconds',
      'Duration of job runs by plugin and job name',
      ['plugin', 'name'],
      [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    );
  }

  /** Starts claiming (poll, lease renewal, cron ticks). No-op when no plugin declares jobs. */
  start(): void {
    if (this.started || this.deps.jobs.size === 0 || !this.deps.sql) return;
    this.started = true;
    if (this.stopped) this.scheduler = createScheduler(this.deps.logger);
    this.stopped = false;
    const { tuning } = this.deps;
    this.scheduler.every('jobs:poll', tuning.pollIntervalMs, () => this.pump());
    this.scheduler.every('jobs:lease', Math.max(10, Math.floor(tuning.leaseMs / 3)), () => this.renew());
    if ([...this.deps.jobs.values()].some((job) => job.cron)) {
      this.scheduler.every('jobs:cron', Math.min(tuning.pollIntervalMs, 1000), () => this.tick());
      void this.tick();
    }
    this.wake();
  }

  /** Stops claiming, aborts running handlers and waits for them; unfinished jobs are given back. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopped = true;
    await this.scheduler.stop();
    for (const entry of this.running.values()) entry.abort.abort(new Error('The gateway is stopping'));
    while (this.settled.size > 0) await Promise.allSettled([...this.settled]);
  }

  /** Looks for due jobs now (after an enqueue, when a slot frees up). */
  wake(): void {
    if (this.started) void this.pump();
  }

  /** The `ctx.jobs` of a plugin. */
  pluginJobs(pluginId: string): PluginJobs {
    return {
      enqueue: (name, payload, options) => this.enqueue(pluginId, name, payload, options),
      cancel: (filter) => this.cancel(pluginId, filter),
    };
  }

  private sqlOr(tx: EnqueueOptions['tx']): SqlClient {
    const sql = tx ? tx.sql : this.deps.sql;
    if (!sql) {
      throw new GatewayError('JOBS_REQUIRE_SQL', 'Durable jobs need a SQL store (Postgres or PGlite)');
    }
    return sql;
  }

  private async enqueue(
    pluginId: string,
    name: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<Enqueued> {
    const registered = this.deps.jobs.get(`${pluginId}/${name}`);
    if (!registered) {
      throw new GatewayError('JOB_NOT_DECLARED', `Plugin "${pluginId}" declares no job "${name}"`);
    }
    const problems: string[] = [];
    if (
      options.runAt !== undefined &&
      !(options.runAt instanceof Date && Number.isFinite(options.runAt.getTime()))
    )
      problems.push('runAt must be a valid Date');
    if (options.delayMs !== undefined && !(Number.isFinite(options.delayMs) && options.delayMs >= 0))
      problems.push('delayMs must be a finite number >= 0');
    if (
      options.maxAttempts !== undefined &&
      !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)
    )
      problems.push('maxAttempts must be an integer >= 1');
    for (const field of ['lane', 'key'] as const) {
      const value = options[field];
      if (value !== undefined && (typeof value !== 'string' || value.length === 0))
        problems.push(`${field} must be a non-empty string`);
    }
    if (problems.length > 0) {
      throw new GatewayError('JOB_INVALID_OPTIONS', `Job "${name}": ${problems.join('; ')}`, {
        details: problems,
      });
    }
    const result = await jobsRepo.insert(this.sqlOr(options.tx), {
      pluginId,
      name,
      payload,
      lane: options.lane ?? null,
      key: options.key ?? null,
      maxAttempts: options.maxAttempts ?? registered.maxAttempts,
      runAt: options.runAt ?? null,
      delayMs: Math.round(options.delayMs ?? 0),
    });
    // a job enqueued in a transaction is visible only after its commit: the poll finds it
    if (!result.duplicate && !options.tx) this.wake();
    return result;
  }

  private async cancel(pluginId: string, filter: CancelFilter): Promise<number> {
    if (filter.name === undefined && filter.lane === undefined && filter.key === undefined) {
      throw new GatewayError('JOB_INVALID_OPTIONS', 'cancel needs a name, a lane or a key');
    }
    return jobsRepo.cancel(this.sqlOr(undefined), pluginId, filter);
  }

  private async pump(): Promise<void> {
    if (!this.started) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const caps: Record<string, number> = {};
        for (const job of this.deps.jobs.values()) {
          const free = job.concurrency - (this.inflight.get(job.ref) ?? 0);
          if (free > 0) caps[job.ref] = free;
        }
        const claimed = await jobsRepo.claim(this.sqlOr(undefined), {
          caps,
          leaseMs: this.deps.tuning.leaseMs,
        });
        for (const job of claimed) this.launch(job);
        if (claimed.length > 0) this.again = true;
      } while (this.again && this.started);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'jobs could not be claimed');
    } finally {
      this.pumping = false;
    }
  }

  private launch(job: ClaimedJob): void {
    const ref = `${job.pluginId}/${job.name}`;
    const entry: Running = { job, abort: new AbortController(), lost: false, finished: false };
    this.running.set(job.id, entry);
    this.inflight.set(ref, (this.inflight.get(ref) ?? 0) + 1);
    const done: Promise<void> = this.execute(entry)
      .catch((error) =>
        this.deps.logger.error({ err: error, jobId: job.id, job: job.name }, 'job result not recorded'),
      )
      .finally(() => {
        this.running.delete(job.id);
        const left = (this.inflight.get(ref) ?? 1) - 1;
        if (left > 0) this.inflight.set(ref, left);
        else this.inflight.delete(ref);
        this.settled.delete(done);
        this.wake();
      });
    this.settled.add(done);
  }

  private async execute(entry: Running): Promise<void> {
    const { job, abort } = entry;
    const registered = this.deps.jobs.get(`${job.pluginId}/${job.name}`)!;
    const sql = this.sqlOr(undefined);
    const labels = { plugin: job.pluginId, name: job.name };
    const ctx = this.deps.contextOf(job.pluginId);
    const started = performance.now();
    let failure: { error: unknown } | null = null;
    try {
      await runInContext({ pluginId: job.pluginId }, () =>
        registered.definition.handle(
          {
            id: job.id,
            name: job.name,
            payload: job.payload,
            attempt: job.attempts,
            lane: job.lane,
            key: job.key,
            signal: abort.signal,
          },
          ctx,
        ),
      );
    } catch (error) {
      failure = { error };
    }
    entry.finished = true;
    this.duration.observe(labels, (performance.now() - started) / 1000);
    if (entry.lost) {
      this.runs.inc({ ...labels, result: 'lost' });
      return;
    }
    if (!failure) {
      await jobsRepo.complete(sql, job.id, job.claimToken);
      this.runs.inc({ ...labels, result: 'success' });
      return;
    }
    if (this.stopped && abort.signal.aborted) {
      await jobsRepo.release(sql, job.id, job.claimToken);
      this.runs.inc({ ...labels, result: 'released' });
      return;
    }
    const { error } = failure;
    const text = errorText(error);
    const log = { err: error, jobId: job.id, job: job.name, attempt: job.attempts };
    if (isPermanent(error) || job.attempts >= job.maxAttempts) {
      await jobsRepo.bury(sql, job.id, job.claimToken, text);
      this.runs.inc({ ...labels, result: 'dead' });
      this.deps.logger.error(log, 'job failed for good; kept as a dead letter');
      return;
    }
    const delayMs = retryAfterOf(error) ?? jobBackoffDelay(job.attempts, registered.backoff);
    await jobsRepo.retry(sql, job.id, job.claimToken, delayMs, text);
    this.runs.inc({ ...labels, result: 'retry' });
    this.deps.logger.warn({ ...log, retryInMs: delayMs }, 'job failed; retrying');
  }

  /** Renews the leases of running jobs; a job whose lease was lost is aborted. */
  private async renew(): Promise<void> {
    if (this.running.size === 0) return;
    const entries = [...this.running.values()].filter((e) => !e.lost && !e.finished);
    const held = await jobsRepo.renew(
      this.sqlOr(undefined),
      entries.map((e) => ({ id: e.job.id, token: e.job.claimToken })),
      this.deps.tuning.leaseMs,
    );
    for (const entry of entries) {
      // finished meanwhile: its row is gone for a good reason
      if (held.has(entry.job.id) || entry.finished) continue;
      entry.lost = true;
      entry.abort.abort(new Error('The job lease was lost'));
      this.deps.logger.warn({ jobId: entry.job.id, job: entry.job.name }, 'job lease lost; run aborted');
    }
  }

  /** Enqueues cron jobs whose tick came, once per tick across processes. */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const sql = this.sqlOr(undefined);
    const now = new Date();
    for (const job of this.deps.jobs.values()) {
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
          maxAttempts: job.maxAttempts,
          runAt: null,
          delayMs: 0,
        });
        return true;
      });
      if (enqueued) this.wake();
    }
  }
}
