import { runInContext } from '../context.js';
import type { DeadLetter } from '../contracts/dead-letter.js';
import { GatewayError } from '../errors.js';
import type { GatewayTuning } from '../gateway/options.js';
import type { Logger } from '../logger.js';
import type { Counter, Histogram, Metrics } from '../metrics.js';
import { createScheduler, type Scheduler } from '../plugin/scheduler.js';
import type { PluginContext } from '../plugin/types.js';
import type { SqlClient } from '../ports/sql.js';
import type { Store } from '../ports/store.js';
import { jobBackoffDelay, PermanentJobError, RetryJobError } from './errors.js';
import { lastTick, type RegisteredJob } from './registry.js';
import { type ClaimedJob, jobsRepo, type NewJob } from './repo.js';
import type { CancelFilter, Enqueued, EnqueueOptions, ManyJob, PluginJobs } from './types.js';

/** What the runner needs from the gateway. */
export interface JobRunnerDeps {
  /** The store's SQL; without it jobs cannot be enqueued (plugins with jobs are refused at boot). */
  sql: SqlClient | undefined;
  /** Dead jobs move to the store's dead letters in one transaction; enqueues elsewhere wake this runner. */
  store: Pick<Store, 'transaction' | 'onJobsEnqueued'>;
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
/** How long a wake-up waits for others to share its claim. */
const wakeWindowMs = 3;

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
  /** Running jobs per `ref\ngroup`. */
  private readonly inflightGroups = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  /** Succeeded jobs whose rows the next claim statement removes. */
  private completions: { id: string; token: string }[] = [];
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
    // a plugin/name/state seen once is reported 0 when its last job went
    const seen = new Set<string>();
    deps.metrics.gauge(
      'zapgate_jobs_queued',
      'Jobs not finished, by plugin, job name and state (due: waiting for a runner; scheduled: waiting for their time; running)',
      ['plugin', 'name', 'state'],
      async (gauge) => {
        if (!deps.sql || deps.jobs.size === 0) return;
        const rows = await jobsRepo.depth(deps.sql);
        const now = new Set(rows.map((r) => JSON.stringify([r.pluginId, r.name, r.state])));
        for (const key of seen) {
          if (now.has(key)) continue;
          const [plugin, name, state] = JSON.parse(key) as [string, string, string];
          gauge.set({ plugin, name, state }, 0);
        }
        for (const { pluginId, name, state, count } of rows) {
          seen.add(JSON.stringify([pluginId, name, state]));
          gauge.set({ plugin: pluginId, name, state }, count);
        }
      },
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
    this.unsubscribe = this.deps.store.onJobsEnqueued?.(() => this.wake()) ?? null;
    this.wake();
  }

  /** Stops claiming, aborts running handlers and waits for them; unfinished jobs are given back. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    await this.scheduler.stop();
    for (const entry of this.running.values()) entry.abort.abort(new Error('The gateway is stopping'));
    while (this.settled.size > 0) await Promise.allSettled([...this.settled]);
    const done = this.completions;
    this.completions = [];
    await jobsRepo
      .complete(this.sqlOr(undefined), done)
      .catch((error) => this.deps.logger.warn({ err: error }, 'finished jobs not removed; they run again'));
  }

  /**
   * Looks for due jobs soon (after an enqueue, when a slot frees up): wake-ups within a few
   * milliseconds share one claim statement, so a burst of enqueues or of finished jobs costs
   * one claim per window, not one per job.
   */
  wake(): void {
    if (!this.started || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.pump();
    }, wakeWindowMs);
  }

  /** The `ctx.jobs` of a plugin. */
  pluginJobs(pluginId: string): PluginJobs {
    return {
      enqueue: (name, payload, options) => this.enqueue(pluginId, name, payload, options),
      enqueueMany: (name, items, options) => this.enqueueMany(pluginId, name, items, options),
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

  /** The job row of one enqueue, or `JOB_NOT_DECLARED` / `JOB_INVALID_OPTIONS` (every problem). */
  private newJob(pluginId: string, name: string, payload: unknown, options: EnqueueOptions): NewJob {
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
    for (const field of ['lane', 'key', 'group'] as const) {
      const value = options[field];
      if (value !== undefined && (typeof value !== 'string' || value.length === 0))
        problems.push(`${field} must be a non-empty string`);
    }
    if (problems.length > 0) {
      throw new GatewayError('JOB_INVALID_OPTIONS', `Job "${name}": ${problems.join('; ')}`, {
        details: problems,
      });
    }
    return {
      pluginId,
      name,
      payload,
      lane: options.lane ?? null,
      key: options.key ?? null,
      group: options.group ?? null,
      maxAttempts: options.maxAttempts ?? registered.maxAttempts,
      runAt: options.runAt ?? null,
      delayMs: Math.round(options.delayMs ?? 0),
    };
  }

  private async enqueue(
    pluginId: string,
    name: string,
    payload: unknown,
    options: EnqueueOptions = {},
  ): Promise<Enqueued> {
    const result = await jobsRepo.insert(
      this.sqlOr(options.tx),
      this.newJob(pluginId, name, payload, options),
    );
    // a job enqueued in a transaction is visible only after its commit: the store's
    // notification (onJobsEnqueued) or the poll finds it
    if (!result.duplicate && !options.tx) this.wake();
    return result;
  }

  private async enqueueMany(
    pluginId: string,
    name: string,
    items: readonly ManyJob[],
    options: { tx?: EnqueueOptions['tx'] } = {},
  ): Promise<string[]> {
    const jobs = items.map((item) => this.newJob(pluginId, name, item.payload, item.options ?? {}));
    const ids = await jobsRepo.insertMany(this.sqlOr(options.tx), jobs);
    if (ids.length > 0 && !options.tx) this.wake();
    return ids;
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
        const caps = this.caps();
        const done = this.completions;
        this.completions = [];
        const claimed = await jobsRepo
          .claim(this.sqlOr(undefined), {
            ...caps,
            done,
            leaseMs: this.deps.tuning.leaseMs,
          })
          .catch((error) => {
            this.completions.push(...done);
            throw error;
          });
        for (const job of claimed) this.launch(job);
        // every free slot was filled: more may be due
        const limit = Object.values(caps.caps).reduce((a, b) => a + b, 0);
        if (claimed.length > 0 && claimed.length >= limit) this.again = true;
      } while (this.again && this.started);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'jobs could not be claimed');
    } finally {
      this.pumping = false;
    }
  }

  /** Free slots per job name, and per group where running jobs or `groupLimits` reduce them. */
  private caps() {
    const caps: Record<string, number> = {};
    const groupCaps: Record<string, number> = {};
    const groupDefaults: Record<string, number> = {};
    for (const job of this.deps.jobs.values()) {
      const free = job.concurrency - (this.inflight.get(job.ref) ?? 0);
      if (free <= 0) continue;
      caps[job.ref] = free;
      groupDefaults[job.ref] = job.groupConcurrency;
      const limits = new Map<string, number>();
      try {
        for (const [group, limit] of job.definition.groupLimits?.() ?? []) limits.set(group, limit);
      } catch (error) {
        this.deps.logger.error({ err: error, job: job.name }, 'groupLimits threw; ignored');
      }
      for (const [key, count] of this.inflightGroups) {
        if (!key.startsWith(`${job.ref}\n`)) continue;
        const group = key.slice(job.ref.length + 1);
        limits.set(group, Math.min(limits.get(group) ?? job.groupConcurrency, job.groupConcurrency - count));
      }
      for (const [group, limit] of limits) groupCaps[`${job.ref}\n${group}`] = Math.max(0, Math.floor(limit));
    }
    return { caps, groupCaps, groupDefaults };
  }

  private launch(job: ClaimedJob): void {
    const ref = `${job.pluginId}/${job.name}`;
    const groupKey = job.group === null ? null : `${ref}\n${job.group}`;
    const entry: Running = { job, abort: new AbortController(), lost: false, finished: false };
    this.running.set(job.id, entry);
    this.inflight.set(ref, (this.inflight.get(ref) ?? 0) + 1);
    if (groupKey) this.inflightGroups.set(groupKey, (this.inflightGroups.get(groupKey) ?? 0) + 1);
    const done: Promise<void> = this.execute(entry)
      .catch((error) =>
        this.deps.logger.error({ err: error, jobId: job.id, job: job.name }, 'job result not recorded'),
      )
      .finally(() => {
        this.running.delete(job.id);
        const left = (this.inflight.get(ref) ?? 1) - 1;
        if (left > 0) this.inflight.set(ref, left);
        else this.inflight.delete(ref);
        if (groupKey) {
          const inGroup = (this.inflightGroups.get(groupKey) ?? 1) - 1;
          if (inGroup > 0) this.inflightGroups.set(groupKey, inGroup);
          else this.inflightGroups.delete(groupKey);
        }
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
            group: job.group,
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
      this.complete(job);
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
      const letter = await this.bury(job, text);
      this.runs.inc({ ...labels, result: letter ? 'dead' : 'lost' });
      if (letter) {
        this.deps.logger.warn(
          { ...log, plugin: job.pluginId, deadLetterId: letter.id },
          'job failed for good; it is now a dead letter (GET /v1/admin/dead-letters)',
        );
      }
      return;
    }
    const retryAfter = retryAfterOf(error);
    const delayMs = retryAfter ?? jobBackoffDelay(job.attempts, registered.backoff);
    await jobsRepo.retry(sql, job.id, job.claimToken, delayMs, text);
    this.runs.inc({ ...labels, result: 'retry' });
    // a RetryJobError is the handler's own plan (a Retry-After, a receiver's 5xx): not a fault here
    if (retryAfter === null) this.deps.logger.warn({ ...log, retryInMs: delayMs }, 'job failed; retrying');
    else this.deps.logger.debug({ ...log, retryInMs: delayMs }, 'job asked to be retried');
  }

  /**
   * A succeeded job's row goes with the next claim statement (which its freed slot triggers):
   * one statement per claim instead of one per job. A process killed in between runs the job
   * again after its lease (at least once, as always).
   */
  private complete(job: ClaimedJob): void {
    this.completions.push({ id: job.id, token: job.claimToken });
  }

  /** Moves a job that will not run again to the dead letters (one transaction); null if the lease was lost. */
  private bury(job: ClaimedJob, error: string): Promise<DeadLetter | null> {
    return this.deps.store.transaction(async (tx) => {
      const removed = await jobsRepo.remove(tx.sql ?? this.sqlOr(undefined), job.id, job.claimToken);
      if (!removed) return null;
      return tx.deadLetters.add({
        kind: 'job',
        pluginId: job.pluginId,
        name: job.name,
        sessionId: null,
        payload: { payload: job.payload, lane: job.lane, key: job.key, group: job.group },
        error,
        attempts: job.attempts,
      });
    });
  }

  /**
   * Queues a dead job again with fresh attempts (the dead-letter retry): same plugin, name,
   * payload, lane, key and group. Throws `DEAD_LETTER_RETRY_FAILED` when the plugin no longer
   * declares the job.
   */
  async revive(letter: DeadLetter): Promise<void> {
    const registered = this.deps.jobs.get(`${letter.pluginId}/${letter.name}`);
    if (!registered) {
      throw new GatewayError(
        'DEAD_LETTER_RETRY_FAILED',
        `Plugin "${letter.pluginId}" declares no job "${letter.name}" (not installed?)`,
      );
    }
    const dead = (letter.payload ?? {}) as Partial<Record<'payload' | 'lane' | 'key' | 'group', unknown>>;
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
    await jobsRepo.insert(this.sqlOr(undefined), {
      pluginId: letter.pluginId,
      name: letter.name,
      payload: dead.payload ?? null,
      lane: text(dead.lane),
      key: text(dead.key),
      group: text(dead.group),
      maxAttempts: registered.maxAttempts,
      runAt: null,
      delayMs: 0,
    });
    this.wake();
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
          group: null,
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
