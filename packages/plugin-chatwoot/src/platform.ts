import type { Static, TSchema } from '@sinclair/typebox';
import type { GatewayApi, PluginContext, Repositories } from '@zapgate/core';

// The plugin platform parts agreed on the coordination board (durable jobs, per-session
// settings, raw-body routes, media read) that this plugin is built on. They are declared here
// with the agreed shapes until `@zapgate/core` exports them; then this file re-exports core's.

/** One run of a durable job. */
export interface JobRun<P> {
  id: string;
  name: string;
  payload: P;
  /** 1-based. */
  attempt: number;
  lane: string | null;
  key: string | null;
  signal: AbortSignal;
}

/** A durable job declared on the plugin value. */
export interface JobDefinition<P, Options> {
  handle(job: JobRun<P>, ctx: PluginContext<Options>): Promise<void>;
  concurrency?: number;
  maxAttempts?: number;
  backoff?: { initialMs?: number; maxMs?: number };
  cron?: string;
}

/** `ctx.jobs`. */
export interface PluginJobs {
  enqueue<P>(
    name: string,
    payload: P,
    options?: {
      runAt?: Date;
      delayMs?: number;
      lane?: string;
      key?: string;
      maxAttempts?: number;
      tx?: Repositories;
    },
  ): Promise<{ id: string; duplicate: boolean }>;
  cancel(filter: { name?: string; lane?: string; key?: string }): Promise<number>;
}

/** `ctx.settings`. */
export interface PluginSettings<S extends TSchema> {
  get(sessionId: string): Promise<Static<S> | undefined>;
  list(): Promise<Array<{ sessionId: string; settings: Static<S> }>>;
}

/** `ctx.gateway.media`. */
export interface MediaApi {
  read(
    sessionId: string,
    messageId: string,
  ): Promise<{
    stream: AsyncIterable<Uint8Array>;
    mimeType: string;
    size: number | null;
    fileName: string | null;
  }>;
}

/** Retried after exactly `afterMs`. */
export class RetryJobError extends Error {
  readonly afterMs: number;
  constructor(message: string, options: { afterMs: number }) {
    super(message);
    this.name = 'RetryJobError';
    this.afterMs = options.afterMs;
  }
}

/** Dead letter at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/** The context as the platform gives it to this plugin. */
export type PlatformContext<Options, S extends TSchema> = PluginContext<Options> & {
  readonly jobs: PluginJobs;
  readonly settings: PluginSettings<S>;
  readonly gateway: GatewayApi & { media: MediaApi };
};
