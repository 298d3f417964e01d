import type { DeadLetter } from '../contracts/dead-letter.js';
import { GatewayError } from '../errors.js';
import type { SqlClient } from '../ports/sql.js';
import type { RegisteredJob } from './registry.js';
import { jobsRepo, type NewJob } from './repo.js';
import type { CancelFilter, Enqueued, EnqueueOptions, ManyJob, PluginJobs } from './types.js';

/** What enqueuing needs from the runner. */
export interface EnqueueParts {
  /** The store's SQL; without it jobs cannot be enqueued. */
  sql: SqlClient | undefined;
  jobs: ReadonlyMap<string, RegisteredJob>;
}

/** The SQL of `tx` if given, else the store's; `JOBS_REQUIRE_SQL` when there is none. */
export function sqlOr(parts: Pick<EnqueueParts, 'sql'>, tx: EnqueueOptions['tx']): SqlClient {
  const sql = tx ? tx.sql : parts.sql;
  if (!sql) {
    throw new GatewayError('JOBS_REQUIRE_SQL', 'Durable jobs need a SQL store (Postgres or PGlite)');
  }
  return sql;
}

/** The `ctx.jobs` of a plugin; `wake` is told after an enqueue that may have due jobs. */
export function pluginJobs(parts: EnqueueParts, pluginId: string, wake: () => void): PluginJobs {
  return {
    enqueue: (name, payload, options) => enqueue(parts, wake, pluginId, name, payload, options),
    enqueueMany: (name, items, options) => enqueueMany(parts, wake, pluginId, name, items, options),
    cancel: (filter) => cancel(parts, pluginId, filter),
  };
}

/** The job row of one enqueue, or `JOB_NOT_DECLARED` / `JOB_INVALID_OPTIONS` (every problem). */
function newJob(
  parts: EnqueueParts,
  pluginId: string,
  name: string,
  payload: unknown,
  options: EnqueueOptions,
): NewJob {
  const registered = parts.jobs.get(`${pluginId}/${name}`);
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

async function enqueue(
  parts: EnqueueParts,
  wake: () => void,
  pluginId: string,
  name: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<Enqueued> {
  const result = await jobsRepo.insert(
    sqlOr(parts, options.tx),
    newJob(parts, pluginId, name, payload, options),
  );
  // a job enqueued in a transaction is visible only after its commit: the store's
  // notification (onJobsEnqueued) or the poll finds it
  if (!result.duplicate && !options.tx) wake();
  return result;
}

async function enqueueMany(
  parts: EnqueueParts,
  wake: () => void,
  pluginId: string,
  name: string,
  items: readonly ManyJob[],
  options: { tx?: EnqueueOptions['tx'] } = {},
): Promise<string[]> {
  const jobs = items.map((item) => newJob(parts, pluginId, name, item.payload, item.options ?? {}));
  const ids = await jobsRepo.insertMany(sqlOr(parts, options.tx), jobs);
  if (ids.length > 0 && !options.tx) wake();
  return ids;
}

async function cancel(parts: EnqueueParts, pluginId: string, filter: CancelFilter): Promise<number> {
  if (filter.name === undefined && filter.lane === undefined && filter.key === undefined) {
    throw new GatewayError('JOB_INVALID_OPTIONS', 'cancel needs a name, a lane or a key');
  }
  return jobsRepo.cancel(sqlOr(parts, undefined), pluginId, filter);
}

/** Inserts a dead letter's job again with fresh attempts (see `JobRunner.revive`). */
export async function revive(parts: EnqueueParts, letter: DeadLetter): Promise<void> {
  const registered = parts.jobs.get(`${letter.pluginId}/${letter.name}`);
  if (!registered) {
    throw new GatewayError(
      'DEAD_LETTER_RETRY_FAILED',
      `Plugin "${letter.pluginId}" declares no job "${letter.name}" (not installed?)`,
    );
  }
  const dead = (letter.payload ?? {}) as Partial<Record<'payload' | 'lane' | 'key' | 'group', unknown>>;
  const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : null);
  await jobsRepo.insert(sqlOr(parts, undefined), {
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
}
