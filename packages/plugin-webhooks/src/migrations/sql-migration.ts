import type { Migration, SqlClient } from '@zapgate/core';

/**
 * A migration made of SQL statements run in order. Its `up.toString()` is the SQL text, so
 * the checksum stores record does not depend on how this file was transpiled.
 */
export function sqlMigration(name: string, up: readonly string[], down?: readonly string[]): Migration {
  const run = (statements: readonly string[]) => {
    const fn = async (sql: SqlClient) => {
      for (const statement of statements) await sql.query(statement);
    };
    fn.toString = () => statements.join(';\n');
    return fn;
  };
  return { name, up: run(up), ...(down ? { down: run(down) } : {}) };
}
