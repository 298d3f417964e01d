import type { EventType, GatewayEvent, PluginContext, PluginRepositories, SqlClient } from '@zapgate/core';
import type { ResolvedCampaignsOptions } from './options.js';

/** The plugin context as this plugin sees it. */
export type CampaignsContext = PluginContext<ResolvedCampaignsOptions>;

/** A unit of work: the plugin's SQL and `emit`, both in one transaction (state and its event commit together). */
export interface Tx {
  sql: SqlClient;
  /** The store transaction itself (to enqueue jobs that exist only if it commits). */
  repos: PluginRepositories;
  emit<K extends EventType>(type: K, sessionId: string | null, data: GatewayEvent<K>['data']): Promise<void>;
}

/** Runs `fn` in one store transaction. */
export function inTx<T>(ctx: CampaignsContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return ctx.store.transaction((repos: PluginRepositories) =>
    fn({
      sql: repos.sql!,
      repos,
      emit: (type, sessionId, data) => ctx.emit(type, sessionId, data, repos),
    }),
  );
}
