import type { Logger } from '../logger.js';
import type { RegisteredJob } from './registry.js';
import type { ClaimedJob } from './repo.js';

/** Running jobs per job name (`plugin/name`) and per `plugin/name\ngroup`. */
export interface RunningCounts {
  inflight: Map<string, number>;
  /** Running jobs per `ref\ngroup`. */
  inflightGroups: Map<string, number>;
}

/** Free slots per job name, and per group where running jobs or `groupLimits` reduce them. */
export function freeSlots(
  jobs: ReadonlyMap<string, RegisteredJob>,
  { inflight, inflightGroups }: RunningCounts,
  logger: Logger,
) {
  const caps: Record<string, number> = {};
  const groupCaps: Record<string, number> = {};
  const groupDefaults: Record<string, number> = {};
  for (const job of jobs.values()) {
    const free = job.concurrency - (inflight.get(job.ref) ?? 0);
    if (free <= 0) continue;
    caps[job.ref] = free;
    groupDefaults[job.ref] = job.groupConcurrency;
    const limits = new Map<string, number>();
    try {
      for (const [group, limit] of job.definition.groupLimits?.() ?? []) limits.set(group, limit);
    } catch (error) {
      logger.error({ err: error, job: job.name }, 'groupLimits threw; ignored');
    }
    for (const [key, count] of inflightGroups) {
      if (!key.startsWith(`${job.ref}\n`)) continue;
      const group = key.slice(job.ref.length + 1);
      limits.set(group, Math.min(limits.get(group) ?? job.groupConcurrency, job.groupConcurrency - count));
    }
    for (const [group, limit] of limits) groupCaps[`${job.ref}\n${group}`] = Math.max(0, Math.floor(limit));
  }
  return { caps, groupCaps, groupDefaults };
}

/** Claimed jobs as handler calls: one per job, or up to `batchSize` of one name and group. */
export function batches(
  claimed: readonly ClaimedJob[],
  jobs: ReadonlyMap<string, RegisteredJob>,
): ClaimedJob[][] {
  const open = new Map<string, ClaimedJob[]>();
  const calls: ClaimedJob[][] = [];
  for (const job of claimed) {
    const size = jobs.get(`${job.pluginId}/${job.name}`)?.batchSize ?? 1;
    const key = `${job.pluginId}/${job.name}\n${job.group ?? ''}`;
    let batch = open.get(key);
    if (!batch || batch.length >= size) {
      batch = [];
      open.set(key, batch);
      calls.push(batch);
    }
    batch.push(job);
  }
  return calls;
}

/** Counts a job in (+1) or out (-1) of its name's and group's running slots. */
export function countRunning(
  { inflight, inflightGroups }: RunningCounts,
  job: ClaimedJob,
  delta: 1 | -1,
): void {
  const ref = `${job.pluginId}/${job.name}`;
  const bump = (map: Map<string, number>, key: string) => {
    const next = (map.get(key) ?? 0) + delta;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  };
  bump(inflight, ref);
  if (job.group !== null) bump(inflightGroups, `${ref}\n${job.group}`);
}
