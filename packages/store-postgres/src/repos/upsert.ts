import type { Knex } from 'knex';
import { json } from './convert.js';

/**
 * `INSERT … ON CONFLICT (key) DO UPDATE` of the given columns only, so columns absent from
 * `values` keep their stored value. Returns the stored row.
 */
export async function upsertRow<R>(
  db: Knex,
  table: string,
  key: readonly string[],
  values: Record<string, unknown>,
  jsonColumns: ReadonlySet<string>,
): Promise<R> {
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  const params = columns.map((c) => (jsonColumns.has(c) && values[c] !== null ? json(values[c]) : values[c]));
  const placeholders = columns.map((c) => (jsonColumns.has(c) ? '?::jsonb' : '?'));
  const updates = columns.filter((c) => !key.includes(c)).map((c) => `"${c}" = EXCLUDED."${c}"`);
  updates.push('"updatedAt" = now()');
  const { rows } = (await db.raw(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')})
     VALUES (${placeholders.join(', ')})
     ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${updates.join(', ')}
     RETURNING *`,
    params as Knex.RawBinding[],
  )) as { rows: R[] };
  return rows[0] as R;
}
