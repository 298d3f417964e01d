import type { Static, TSchema } from '@sinclair/typebox';
import type { PluginContext } from '@zapgate/core';

export {
  type JobDefinition,
  type JobRun,
  PermanentJobError,
  type PluginJobs,
  RetryJobError,
} from '@zapgate/core';

/** `ctx.settings`, typed by this plugin's settings schema (core types it loosely). */
export interface PluginSettings<S extends TSchema> {
  get(sessionId: string): Promise<Static<S> | undefined>;
  list(): Promise<Array<{ sessionId: string; settings: Static<S> }>>;
}

/** The plugin context with `settings` typed by the plugin's settings schema. */
export type PlatformContext<Options, S extends TSchema> = Omit<PluginContext<Options>, 'settings'> & {
  readonly settings: PluginSettings<S>;
};
