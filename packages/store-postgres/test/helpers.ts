import { PGlite } from '@electric-sql/pglite';
import { type PostgresStore, postgresStore } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

export { createTestDatabase };

/** The two backends every store test runs on. */
export const backends = ['postgres', 'pglite'] as const;
export type Backend = (typeof backends)[number];

/**
 * Stores for one test file on one backend: Postgres stores share a throwaway database,
 * PGlite ones one in-memory instance. Use a `schema` per test to keep them apart.
 */
export function storeFactory(backend: Backend) {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
  // booting PGlite takes seconds: one in-memory instance per file, stores use schemas in it
  let pglite: PGlite | null = null;
  const open: PostgresStore[] = [];
  return {
    get url(): string {
      if (!database) throw new Error('setup() first');
      return database.url;
    },
    get pglite(): PGlite {
      if (!pglite) throw new Error('setup() first');
      return pglite;
    },
    async setup() {
      if (backend === 'postgres') database = await createTestDatabase();
      else pglite = await PGlite.create();
    },
    /** A new store (not initialised) on the file's database. */
    create(options: Parameters<typeof postgresStore>[0] = {}): PostgresStore {
      const store = postgresStore(
        backend === 'postgres' ? { databaseUrl: this.url, ...options } : { pglite: this.pglite, ...options },
      );
      open.push(store);
      return store;
    },
    async teardown() {
      await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
      await database?.drop();
      await pglite?.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { waitFor } from '@zapgate/core/testing';
