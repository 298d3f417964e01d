import type { Counter, Histogram, Metrics } from '../metrics.js';
import type { SqlClient } from '../ports/sql.js';
import type { RegisteredJob } from './registry.js';
import { jobsRepo } from './repo.js';

/** The job runner's metrics: runs and durations (recorded by the runner), queue depth (read on scrape). */
export function jobMetrics(deps: {
  metrics: Metrics;
  sql: SqlClient | undefined;
  jobs: ReadonlyMap<string, RegisteredJob>;
}): { runs: Counter; duration: Histogram } {
  const runs = deps.metrics.counter(
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
  const duration = deps.metrics.histogram(
    'zapgate_job_duration_seconds',
    'Duration of job runs by plugin and job name',
    ['plugin', 'name'],
    [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  );
  return { runs, duration };
}
