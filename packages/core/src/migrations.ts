import { createHash } from 'node:crypto';
import type { Migration, SqlClient } from './ports/sql.js';

/**
 * The checksum stores record for an applied migration: the SHA-256 of its
 * `checksumSource`, or of its functions' source text when it has none.
 */
export function migrationChecksum(migration: Migration): string {
  const source =
    migration.checksumSource ?? `${migration.up.toString()}\n--down--\n${migration.down?.toString() ?? ''}`;
  return createHash('sha256').update(source).digest('hex');
}

/**
 * A migration made of SQL statements, run in order in the migration's transaction. Its
 * checksum is that of the SQL text, so it does not change with how the file was compiled
 * (prefer it to hand-written `up` functions).
 *
 * @example
 * sqlMigration('001_subscriptions', ['CREATE TABLE "subscriptions" ("id" uuid PRIMARY KEY)'], ['DROP TABLE "subscriptions"'])
 */
export function sqlMigration(name: string, up: readonly string[], down?: readonly string[]): Migration {
  const run = (statements: readonly string[]) => async (sql: SqlClient) => {
    for (const statement of statements) await sql.query(statement);
  };
  return {
    name,
    up: run(up),
    ...(down ? { down: run(down) } : {}),
    checksumSource: `${up.join(';\n')}\n--down--\n${down?.join(';\n') ?? ''}`,
  };
}
