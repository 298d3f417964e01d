import {
  createGateway,
  definePlugin,
  type Gateway,
  type JobDefinition,
  type PluginContext,
  type PluginJobs,
} from '@zapgate/core';
import { fakeConnector } from '@zapgate/core/testing';

export { waitFor } from '@zapgate/core/testing';

import type { PostgresStore } from '../../src/index.js';

// biome-ignore lint/suspicious/noExplicitAny: tests type payloads loosely
export type TestJobs = Record<string, JobDefinition<any>>;

/** A gateway running the plugin `jobs-test` with the given jobs, and that plugin's context. */
export interface JobsGateway {
  gateway: Gateway;
  ctx: PluginContext;
  jobs: PluginJobs;
  stop(): Promise<void>;
}

const consoleLogger: import('@zapgate/core').Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => console.error(...args),
  child: () => consoleLogger,
};

/** Starts a gateway on `store` with the plugin; short poll and lease so tests wait little. */
export async function startJobsGateway(
  store: PostgresStore,
  jobs: TestJobs,
  tuning: { pollIntervalMs?: number; leaseMs?: number } = {},
): Promise<JobsGateway> {
  let captured: PluginContext | null = null;
  const gateway = createGateway({
    store,
    connector: fakeConnector(),
    plugins: [
      definePlugin({
        id: 'jobs-test',
        version: '1.0.0',
        jobs,
        setup(ctx) {
          captured = ctx;
        },
      }),
    ],
    tuning: { jobs: { pollIntervalMs: 50, leaseMs: 3000, ...tuning } },
    ...(process.env.JOBS_DEBUG ? { logger: consoleLogger } : {}),
  });
  await gateway.start();
  const ctx = captured as unknown as PluginContext;
  return { gateway, ctx, jobs: ctx.jobs, stop: () => gateway.stop() };
}

/** Resolves after `ms` (only to let work proceed inside handlers, never as a test wait). */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
