/**
 * Error codes `@zapgate/store-postgres` raises (besides core's `MIGRATION_CHECKSUM_MISMATCH`,
 * `SESSION_NOT_FOUND`...), with their HTTP status.
 */
export const StorePostgresErrorCodes = {
  /** The options given to `postgresStore()` are invalid. */
  STORE_POSTGRES_INVALID_OPTIONS: 500,
  /** `migrateDown` reached a migration without a `down`. */
  STORE_POSTGRES_MIGRATION_IRREVERSIBLE: 500,
  /** `migrateDown` reached an applied migration the given list does not know. */
  STORE_POSTGRES_MIGRATION_UNKNOWN: 500,
  /** The store was used after `close()`. */
  STORE_POSTGRES_CLOSED: 503,
  /**
   * Another running process already uses this embedded PGlite directory. Embedded PGlite is
   * single-node: several nodes need PostgreSQL (`databaseUrl`).
   */
  STORE_POSTGRES_PGLITE_IN_USE: 500,
} as const;

/** A code defined by this package. */
export type StorePostgresErrorCode = keyof typeof StorePostgresErrorCodes;
