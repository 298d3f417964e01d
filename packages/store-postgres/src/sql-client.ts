import type { SqlClient } from '@zapgate/core';
import type { Knex } from 'knex';

/** Rows of a `knex.raw` result on either driver (pg and PGlite both answer `{ rows }`). */
export async function rawRows<R>(db: Knex, text: string, params: readonly unknown[] = []): Promise<R[]> {
  const result = (await db.raw(text, params as Knex.RawBinding[])) as { rows?: R[] };
  return result.rows ?? [];
}

/**
 * The {@link SqlClient} plugins get: `knex.raw` with positional `?` placeholders, bound to a
 * transaction when `db` is one (nested `transaction` calls become savepoints).
 */
export function sqlClient(db: Knex): SqlClient {
  return {
    query: <R = Record<string, unknown>>(text: string, params?: readonly unknown[]) =>
      rawRows<R>(db, text, params),
    transaction: <T>(fn: (sql: SqlClient) => Promise<T>) => db.transaction((trx) => fn(sqlClient(trx))),
  };
}

/** Runs `fn` in a transaction: `db` itself when it already is one, else a new one. */
export function inTransaction<T>(db: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Knex.Transaction);
  return db.transaction(fn);
}
