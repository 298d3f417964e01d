/**
 * A minimal SQL handle stores give plugins that keep their own tables. Placeholders are
 * positional `?` (as in knex.raw); identifiers are plain SQL. Core never imports a driver.
 */
export interface SqlClient {
  /** Runs one statement and returns its rows. */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `fn` in a transaction (a savepoint when already in one). */
  transaction<T>(fn: (sql: SqlClient) => Promise<T>): Promise<T>;
}

/** A schema change owned by core, a store or a plugin; applied once, in list order. */
export interface Migration {
  /** Unique within its owner and never renamed, e.g. `001_subscriptions`. */
  name: string;
  up(sql: SqlClient): Promise<void>;
  /** Run only by an explicit `migrate down`; never on start. */
  down?(sql: SqlClient): Promise<void>;
  /**
   * The text the recorded checksum is computed from; a change of an applied migration's
   * source stops the start. `sqlMigration()` sets it to the SQL.
   * @default the source text of `up` and `down`
   */
  checksumSource?: string;
}

/** An applied or pending migration, as `GET /v1/admin/migrations` lists it. */
export interface MigrationState {
  owner: string;
  name: string;
  checksum: string;
  appliedAt: string | null;
}
