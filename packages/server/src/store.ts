import { hostname } from 'node:os';
import type { Migration, Store } from '@zapgate/core';
import { coreMigrations, coreOwner, type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import type { ServerConfig } from './options.js';

/** A store opened from the config, with the migration lists it owns beyond the plugins'. */
export interface OpenedStore {
  store: PostgresStore;
  knownMigrations: () => Record<string, readonly Migration[]>;
}

/** This node's id among the nodes sharing the database: `nodeId`, or `<hostname>:<port>`. */
export const nodeIdOf = (config: Readonly<ServerConfig>) => config.nodeId ?? `${hostname()}:${config.port}`;

/**
 * Opens the configured store: Postgres with `databaseUrl` (its connections named `zapgate
 * <node id>` in `pg_stat_activity`, and a transaction left idle ended after half a lease time
 * or 5 s, whichever is shorter), embedded PGlite under `dataDir` otherwise.
 */
export function openStore(config: Readonly<ServerConfig>): OpenedStore {
  const store = postgresStore({
    dataDir: config.dataDir,
    applicationName: `zapgate ${nodeIdOf(config)}`.slice(0, 63),
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databasePoolSize ? { pool: { max: config.databasePoolSize } } : {}),
    // a transaction left open by a frozen node ends before its lease does (store default 5 s)
    idleTransactionTimeoutMs: Math.min(5000, Math.ceil(config.leaseMs / 2)),
  });
  return { store, knownMigrations: () => ({ [coreOwner]: coreMigrations }) };
}

/** True for stores that keep nothing across restarts. */
export const isEphemeral = (store: Store) => store.kind === 'memory';
