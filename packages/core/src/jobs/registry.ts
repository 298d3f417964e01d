import { CronExpressionParser } from 'cron-parser';
import { GatewayError } from '../errors.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { JobDefinition } from './types.js';

/** A declared job with its defaults applied. */
export interface RegisteredJob {
  pluginId: string;
  name: string;
  /** `pluginId/name`: the key of caps and in-flight counts. */
  ref: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are typed by each plugin
  definition: JobDefinition<any, any>;
  concurrency: number;
  /** Running jobs of one group at most (`concurrency` when the definition sets none). */
  groupConcurrency: number;
  maxAttempts: number;
  /** Most jobs per handler call: the definition's `batchSize` with `handleBatch`, else 1. */
  batchSize: number;
  backoff: { initialMs: number; maxMs: number };
  cron: string | null;
}

const positiveInteger = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** Every plugin's `jobs`, defaulted and checked (all problems at once) before anything starts. */
export function registerJobs(resolved: readonly ResolvedPlugin[]): Map<string, RegisteredJob> {
  const jobs = new Map<string, RegisteredJob>();
  const problems: string[] = [];
  for (const { plugin } of resolved) {
    for (const [name, definition] of Object.entries(plugin.jobs ?? {})) {
      const where = `plugin "${plugin.id}", job "${name}"`;
      const batched = typeof definition?.handleBatch === 'function';
      if (!definition || batched === (typeof definition.handle === 'function')) {
        problems.push(`${where}: give one of handle and handleBatch (a function)`);
        continue;
      }
      const batchSize = batched ? (definition.batchSize ?? 32) : 1;
      const concurrency = definition.concurrency ?? 4;
      const groupConcurrency = definition.groupConcurrency ?? concurrency;
      const maxAttempts = definition.maxAttempts ?? 10;
      const initialMs = definition.backoff?.initialMs ?? 1000;
      const maxMs = definition.backoff?.maxMs ?? 300_000;
      if (!positiveInteger(concurrency)) problems.push(`${where}: concurrency must be an integer >= 1`);
      if (!positiveInteger(groupConcurrency))
        problems.push(`${where}: groupConcurrency must be an integer >= 1`);
      if (!positiveInteger(batchSize)) problems.push(`${where}: batchSize must be an integer >= 1`);
      if (!positiveInteger(maxAttempts)) problems.push(`${where}: maxAttempts must be an integer >= 1`);
      if (!(initialMs >= 0 && maxMs >= initialMs))
        problems.push(`${where}: backoff needs 0 <= initialMs <= maxMs`);
      if (definition.cron !== undefined) {
        try {
          CronExpressionParser.parse(definition.cron, { tz: 'UTC' });
        } catch (error) {
          problems.push(`${where}: invalid cron "${definition.cron}" (${(error as Error).message})`);
        }
      }
      const ref = `${plugin.id}/${name}`;
      jobs.set(ref, {
        pluginId: plugin.id,
        name,
        ref,
        definition,
        concurrency,
        groupConcurrency,
        maxAttempts,
        batchSize,
        backoff: { initialMs, maxMs },
        cron: definition.cron ?? null,
      });
    }
  }
  if (problems.length > 0) {
    throw new GatewayError('PLUGIN_INVALID_DEFINITION', `Invalid jobs: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  return jobs;
}

/** The latest tick of `cron` at or before `now` (UTC). */
export function lastTick(cron: string, now: Date): Date {
  const expression = CronExpressionParser.parse(cron, {
    tz: 'UTC',
    currentDate: new Date(now.getTime() + 1),
  });
  return expression.prev().toDate();
}
