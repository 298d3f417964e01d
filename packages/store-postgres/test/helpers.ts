import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type PostgresStore, postgresStore } from '../src/index.js';

const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A throwaway database for one test file; `drop()` removes it (forcefully). */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `zapgate_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    url: urlFor(name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

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
