import { runInContext } from '../context.js';
import type { DeadLetter } from '../contracts/dead-letter.js';
import type { GatewayTuning } from '../gateway/options.js';
import type { Logger } from '../logger.js';
import type { Counter, Histogram, Metrics } from '../metrics.js';
import { createScheduler, type Scheduler } from '../plugin/scheduler.js';
import type { PluginContext } from '../plugin/types.js';
import type { SqlClient } from '../ports/sql.js';
import type { Store } from '../ports/store.js';
import { enqueueCronTicks } from './cron.js';
import { pluginJobs, revive, sqlOr } from './enqueue.js';
import { errorText, isPermanent, jobBackoffDelay, retryAfterOf } from './errors.js';
import { type Running, renewLeases } from './lease-renewal.js';
import { jobMetrics } from './metrics.js';
import type { RegisteredJob } from './registry.js';
import { type ClaimedJob, jobsRepo } from './repo.js';
import { batches, countRunning, freeSlots, type RunningCounts } from './slots.js';
import type { PluginJobs } from './types.js';

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

/** How long a wake-up waits for others to share its claim. */
const wakeWindowMs = 3;

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
  private readonly counts: RunningCounts = { inflight: new Map(), inflightGroups: new Map() };
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
    const { runs, duration } = jobMetrics(deps);
    this.runs = runs;
    this.duration = duration;
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
      .complete(this.sql(), done)
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
    return pluginJobs(this.deps, pluginId, () => this.wake());
  }

  /** The store's SQL (`JOBS_REQUIRE_SQL` without one). */
  private sql(): SqlClient {
    return sqlOr(this.deps, undefined);
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
          .claim(this.sql(), {
            ...caps,
            done,
            leaseMs: this.deps.tuning.leaseMs,
          })
          .catch((error) => {
            this.completions.push(...done);
            throw error;
          });
        for (const batch of batches(claimed, this.deps.jobs)) this.launch(batch);
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
    return freeSlots(this.deps.jobs, this.counts, this.deps.logger);
  }

  private launch(batch: readonly ClaimedJob[]): void {
    const entries = batch.map((job): Running => {
      const entry = { job, abort: new AbortController(), lost: false, finished: false };
      this.running.set(job.id, entry);
      countRunning(this.counts, job, 1);
      return entry;
    });
    const done: Promise<void> = this.execute(entries)
      .catch((error) =>
        this.deps.logger.error(
          { err: error, jobIds: batch.map((job) => job.id), job: batch[0]?.name },
          'job result not recorded',
        ),
      )
      .finally(() => {
        for (const { job } of entries) {
          this.running.delete(job.id);
          countRunning(this.counts, job, -1);
        }
        this.settled.delete(done);
        this.wake();
      });
    this.settled.add(done);
  }

  /** Runs one handler call (a job, or a batch of one name and group) and writes the results back. */
  private async execute(entries: readonly Running[]): Promise<void> {
    const first = entries[0]!.job;
    const registered = this.deps.jobs.get(`${first.pluginId}/${first.name}`)!;
    const { definition } = registered;
    const labels = { plugin: first.pluginId, name: first.name };
    const ctx = this.deps.contextOf(first.pluginId);
    const runs = entries.map(({ job, abort }) => ({
      id: job.id,
      name: job.name,
      payload: job.payload,
      attempt: job.attempts,
      lane: job.lane,
      key: job.key,
      group: job.group,
      signal: abort.signal,
    }));
    const started = performance.now();
    const failures = new Map<string, unknown>();
    try {
      await runInContext({ pluginId: first.pluginId }, async () => {
        if (!definition.handleBatch) return definition.handle!(runs[0]!, ctx);
        for (const [id, error] of (await definition.handleBatch(runs, ctx)) ?? []) failures.set(id, error);
      });
    } catch (error) {
      for (const { job } of entries) failures.set(job.id, error);
    }
    const seconds = (performance.now() - started) / 1000;
    const retries: { id: string; token: string; delayMs: number; error: string }[] = [];
    const releases: { id: string; token: string }[] = [];
    for (const entry of entries) {
      const { job } = entry;
      entry.finished = true;
      this.duration.observe(labels, seconds);
      if (entry.lost) {
        this.runs.inc({ ...labels, result: 'lost' });
        continue;
      }
      if (!failures.has(job.id)) {
        this.complete(job);
        this.runs.inc({ ...labels, result: 'success' });
        continue;
      }
      if (this.stopped && entry.abort.signal.aborted) {
        releases.push({ id: job.id, token: job.claimToken });
        continue;
      }
      const error = failures.get(job.id);
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
        continue;
      }
      const retryAfter = retryAfterOf(error);
      const delayMs = retryAfter ?? jobBackoffDelay(job.attempts, registered.backoff);
      retries.push({ id: job.id, token: job.claimToken, delayMs, error: text });
      // a RetryJobError is the handler's own plan (a Retry-After, a receiver's 5xx): not a fault here
      if (retryAfter === null) this.deps.logger.warn({ ...log, retryInMs: delayMs }, 'job failed; retrying');
      else this.deps.logger.debug({ ...log, retryInMs: delayMs }, 'job asked to be retried');
    }
    const sql = this.sql();
    if (releases.length > 0) {
      await jobsRepo.release(sql, releases);
      this.runs.inc({ ...labels, result: 'released' }, releases.length);
    }
    if (retries.length > 0) {
      await jobsRepo.retry(sql, retries);
      this.runs.inc({ ...labels, result: 'retry' }, retries.length);
    }
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
      const removed = await jobsRepo.remove(tx.sql ?? this.sql(), job.id, job.claimToken);
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
    await revive(this.deps, letter);
    this.wake();
  }

  private async renew(): Promise<void> {
    if (this.running.size === 0) return;
    await renewLeases(this.sql(), this.running.values(), this.deps.tuning.leaseMs, this.deps.logger);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    await enqueueCronTicks(this.sql(), this.deps.jobs, () => this.wake());
  }
}
