import type { Migration, Store } from '@zapgate/core';
import { coreMigrations, coreOwner, type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import type { ServerConfig } from './options.js';

/** A store opened from the config, with the migration lists it owns beyond the plugins'. */
export interface OpenedStore {
  store: PostgresStore;
  knownMigrations: () => Record<string, readonly Migration[]>;
}

/** Opens the configured store: Postgres with `databaseUrl`, embedded PGlite under `dataDir` otherwise. */
export function openStore(config: Readonly<ServerConfig>): OpenedStore {
  const store = postgresStore({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    ...(config.databasePoolSize ? { pool: { max: config.databasePoolSize } } : {}),
  });
  return { store, knownMigrations: () => ({ [coreOwner]: coreMigrations }) };
}

/** True for stores that keep nothing across restarts. */
export const isEphemeral = (store: Store) => store.kind === 'memory';
