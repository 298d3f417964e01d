import {
  GatewayError,
  type Logger,
  type Migration,
  type MigrationState,
  migrationChecksum,
  silentLogger,
} from '@zapgate/core';
import type { Knex } from 'knex';
import { StorePostgresErrorCodes } from './error-codes.js';
import { rawRows, sqlClient } from './sql-client.js';

/** The table recording applied migrations of every owner. */
export const migrationsTable = 'zapgate_migrations';

interface AppliedRow {
  owner: string;
  name: string;
  checksum: string;
  appliedAt: Date | string;
}

/** Knows where migrations are recorded and how to lock them. */
export interface MigratorContext {
  knex: Knex;
  /** The schema of every table (created when missing), or `undefined` for the search_path's. */
  schema?: string;
  logger?: Logger;
}

async function lockAndPrepare(trx: Knex.Transaction, ctx: MigratorContext): Promise<void> {
  // One lock for every owner: plugin migrations may reference core tables
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`zapgate:migrate:${ctx.schema ?? ''}`]);
  if (ctx.schema) await trx.raw(`CREATE SCHEMA IF NOT EXISTS "${ctx.schema}"`);
  await trx.raw(`CREATE TABLE IF NOT EXISTS ${migrationsTable} (
    "seq" serial PRIMARY KEY,
    "owner" text NOT NULL,
    "name" text NOT NULL,
    "checksum" text NOT NULL,
    "appliedAt" timestamptz NOT NULL DEFAULT now(),
    UNIQUE ("owner", "name")
  )`);
}

async function appliedOf(trx: Knex, owner: string): Promise<AppliedRow[]> {
  return rawRows<AppliedRow>(
    trx,
    `SELECT "owner", "name", "checksum", "appliedAt" FROM ${migrationsTable} WHERE "owner" = ? ORDER BY "seq"`,
    [owner],
  );
}

function checkNames(owner: string, migrations: readonly Migration[]): void {
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.name)) {
      throw new GatewayError('STORE_FAILED', `Migration "${m.name}" of "${owner}" is listed twice`);
    }
    seen.add(m.name);
  }
}

/**
 * Applies `owner`'s pending migrations in list order, each exactly once even with several
 * processes starting together (one transaction under a Postgres advisory lock). An applied
 * migration whose source changed stops everything with `MIGRATION_CHECKSUM_MISMATCH`.
 */
export async function migrate(ctx: MigratorContext, owner: string, migrations: readonly Migration[]) {
  checkNames(owner, migrations);
  const logger = ctx.logger ?? silentLogger;
  await ctx.knex.transaction(async (trx) => {
    await lockAndPrepare(trx, ctx);
    const applied = new Map((await appliedOf(trx, owner)).map((row) => [row.name, row]));
    for (const migration of migrations) {
      const row = applied.get(migration.name);
      if (row && row.checksum !== migrationChecksum(migration)) {
        throw new GatewayError(
          'MIGRATION_CHECKSUM_MISMATCH',
          `Migration "${migration.name}" of "${owner}" changed after it was applied ` +
            `(recorded checksum ${row.checksum.slice(0, 12)}…); restore its source or add a new migration`,
          { details: { owner, migration: migration.name } },
        );
      }
    }
    const sql = sqlClient(trx);
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      logger.info({ owner, migration: migration.name }, 'applying migration');
      await migration.up(sql);
      await trx.raw(`INSERT INTO ${migrationsTable} ("owner", "name", "checksum") VALUES (?, ?, ?)`, [
        owner,
        migration.name,
        migrationChecksum(migration),
      ]);
    }
  });
}

/**
 * Reverts the last `steps` applied migrations of `owner` (newest first), in one transaction
 * under the migration lock. Only for an explicit `zapgate migrate down`.
 * @returns the names reverted, newest first
 */
export async function migrateDown(
  ctx: MigratorContext,
  owner: string,
  migrations: readonly Migration[],
  options: { steps?: number } = {},
): Promise<string[]> {
  const steps = options.steps ?? 1;
  const byName = new Map(migrations.map((m) => [m.name, m]));
  return ctx.knex.transaction(async (trx) => {
    await lockAndPrepare(trx, ctx);
    const applied = (await appliedOf(trx, owner)).reverse().slice(0, Math.max(0, steps));
    const sql = sqlClient(trx);
    const reverted: string[] = [];
    for (const row of applied) {
      const migration = byName.get(row.name);
      if (!migration) {
        throw new GatewayError(
          'STORE_POSTGRES_MIGRATION_UNKNOWN',
          `Applied migration "${row.name}" of "${owner}" is not in the given list`,
          { statusCode: StorePostgresErrorCodes.STORE_POSTGRES_MIGRATION_UNKNOWN },
        );
      }
      if (!migration.down) {
        throw new GatewayError(
          'STORE_POSTGRES_MIGRATION_IRREVERSIBLE',
          `Migration "${row.name}" of "${owner}" has no down migration`,
          { statusCode: StorePostgresErrorCodes.STORE_POSTGRES_MIGRATION_IRREVERSIBLE },
        );
      }
      (ctx.logger ?? silentLogger).warn({ owner, migration: row.name }, 'reverting migration');
      await migration.down(sql);
      await trx.raw(`DELETE FROM ${migrationsTable} WHERE "owner" = ? AND "name" = ?`, [owner, row.name]);
      reverted.push(row.name);
    }
    return reverted;
  });
}

/**
 * Applied and pending migrations of the given owners: applied ones in apply order (with the
 * recorded checksum, including ones the lists no longer know), then pending ones.
 */
export async function migrationStatus(
  ctx: MigratorContext,
  known: Record<string, readonly Migration[]>,
): Promise<MigrationState[]> {
  const exists = await rawRows<{ name: string | null }>(ctx.knex, 'SELECT to_regclass(?)::text AS name', [
    migrationsTable,
  ]);
  const states: MigrationState[] = [];
  for (const [owner, migrations] of Object.entries(known)) {
    const applied = exists[0]?.name ? await appliedOf(ctx.knex, owner) : [];
    const names = new Set(applied.map((row) => row.name));
    for (const row of applied) {
      states.push({ owner, name: row.name, checksum: row.checksum, appliedAt: toIso(row.appliedAt) });
    }
    for (const m of migrations) {
      if (!names.has(m.name))
        states.push({ owner, name: m.name, checksum: migrationChecksum(m), appliedAt: null });
    }
  }
  return states;
}

function toIso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
