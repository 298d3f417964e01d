import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Options of {@link createTestDatabase}. */
export interface TestDatabaseOptions {
  /** A Postgres URL whose server hosts the database. @default env DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres */
  serverUrl?: string;
  /** Prefix of the random database name. @default 'zapgate_test' */
  prefix?: string;
}

function urlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A throwaway Postgres database for one test file: created with a random name, `drop()`
 * removes it even while connections are open (`WITH (FORCE)`).
 *
 * @example
 * const db = await createTestDatabase();
 * const store = postgresStore({ databaseUrl: db.url });
 * afterAll(async () => { await store.close(); await db.drop(); });
 */
export async function createTestDatabase(
  options: TestDatabaseOptions = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl =
    options.serverUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${options.prefix ?? 'zapgate_test'}_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE "${name}"`);
  return {
    url: urlFor(serverUrl, name),
    drop: () => admin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
