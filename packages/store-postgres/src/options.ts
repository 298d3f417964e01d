import type { PGlite } from '@electric-sql/pglite';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { GatewayError, type Logger } from '@zapgate/core';
import { StorePostgresErrorCodes } from './error-codes.js';

/** The serialisable options of {@link postgresStore}, as a TypeBox schema with defaults. */
export const PostgresStoreOptionsSchema = Type.Object({
  /**
   * `postgres://user:pass@host:5432/db`. Absent: embedded PGlite under `dataDir`.
   * @default undefined (PGlite)
   */
  databaseUrl: Type.Optional(Type.String({ minLength: 1, pattern: '^postgres(ql)?://' })),
  /**
   * Where the embedded database lives (`<dataDir>/pglite`); `'memory://'` keeps it in memory.
   * Ignored with `databaseUrl`.
   * @default './data'
   */
  dataDir: Type.String({ minLength: 1, default: './data' }),
  /** The one connection pool shared by app data and auth state (PGlite always uses one). */
  pool: Type.Object(
    {
      /** @default 0 */
      min: Type.Integer({ minimum: 0, default: 0 }),
      /** @default 10 */
      max: Type.Integer({ minimum: 1, default: 10 }),
    },
    { default: {} },
  ),
  /**
   * Postgres schema for every table (created when missing).
   * @default undefined (the connection's search_path, normally `public`)
   */
  schema: Type.Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' })),
  /**
   * `application_name` of the store's Postgres connections, as `pg_stat_activity` shows them
   * (the server sets `zapgate <node id>` so each node's connections can be told apart).
   * @default 'zapgate'
   */
  applicationName: Type.String({ minLength: 1, maxLength: 63, default: 'zapgate' }),
  /**
   * Postgres ends a transaction of this store that waits this long for its next statement
   * (`idle_in_transaction_session_timeout`), and with it the transaction's locks. A gateway's
   * transactions take milliseconds; one left open is a node frozen (a stopped VM, a long GC
   * pause) or cut off mid-transaction, and it must not hold a session's lease row — or any
   * other — past the time another node takes the session over. Keep it under the gateway's
   * `tuning.cluster.leaseMs`. `0` never ends one. Ignored on PGlite.
   * @default 5000
   */
  idleTransactionTimeoutMs: Type.Integer({ minimum: 0, default: 5000 }),
});

/** Options of {@link postgresStore}. */
export type PostgresStoreOptions = Partial<Omit<Static<typeof PostgresStoreOptionsSchema>, 'pool'>> & {
  /** Pool bounds. @default { min: 0, max: 10 } */
  pool?: { min?: number; max?: number };
  /** A pino-compatible logger. @default silentLogger */
  logger?: Logger;
  /**
   * An existing PGlite instance to use instead of opening `<dataDir>/pglite` (for example one
   * also served to other clients with `@electric-sql/pglite-socket`). The store never closes
   * it. Ignored with `databaseUrl`.
   * @default undefined
   */
  pglite?: PGlite;
};

/** Options after defaults and validation. */
export type ResolvedPostgresStoreOptions = Static<typeof PostgresStoreOptionsSchema> & {
  logger?: Logger;
  pglite?: PGlite;
};

/** Applies defaults, reports every problem at once, freezes. */
export function resolveOptions(input: PostgresStoreOptions = {}): ResolvedPostgresStoreOptions {
  const { logger, pglite, ...rest } = input;
  const value = Value.Default(PostgresStoreOptionsSchema, structuredClone(rest)) as Static<
    typeof PostgresStoreOptionsSchema
  >;
  const problems = [...Value.Errors(PostgresStoreOptionsSchema, value)].map(
    (e) => `${e.path || '/'}: ${e.message}`,
  );
  if (value.pool.min > value.pool.max) problems.push('/pool/min: must not exceed pool.max');
  if (problems.length > 0) {
    throw new GatewayError(
      'STORE_POSTGRES_INVALID_OPTIONS',
      `Invalid postgresStore options: ${problems.join('; ')}`,
      { statusCode: StorePostgresErrorCodes.STORE_POSTGRES_INVALID_OPTIONS, details: problems },
    );
  }
  return Object.freeze({
    ...value,
    pool: Object.freeze({ ...value.pool }),
    ...(logger ? { logger } : {}),
    ...(pglite ? { pglite } : {}),
  });
}
