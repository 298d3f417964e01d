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
  const rows = await upsertRows<R>(db, table, key, [values], jsonColumns);
  return rows[0] as R;
}

/**
 * {@link upsertRow} of many rows with as few statements as there are distinct sets of given
 * columns. Rows with the same key are merged in order first (one statement may not update a
 * row twice). Returns the stored rows in order of first appearance of their key.
 */
export async function upsertRows<R>(
  db: Knex,
  table: string,
  key: readonly string[],
  rows: readonly Record<string, unknown>[],
  jsonColumns: ReadonlySet<string>,
  /** Update a stored row only when a given column differs, and return only created or changed rows. */
  onlyChanged = false,
): Promise<R[]> {
  const merged = new Map<string, Record<string, unknown>>();
  for (const values of rows) {
    const id = JSON.stringify(key.map((c) => values[c]));
    const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    merged.set(id, { ...merged.get(id), ...defined });
  }
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const values of merged.values()) {
    const columns = Object.keys(values).sort().join('\u0000');
    groups.set(columns, [...(groups.get(columns) ?? []), values]);
  }
  const stored = new Map<string, R>();
  for (const group of groups.values()) {
    const columns = Object.keys(group[0] as Record<string, unknown>);
    const placeholders = `(${columns.map((c) => (jsonColumns.has(c) ? '?::jsonb' : '?')).join(', ')})`;
    const params = group.flatMap((values) =>
      columns.map((c) => (jsonColumns.has(c) && values[c] !== null ? json(values[c]) : values[c])),
    );
    const given = columns.filter((c) => !key.includes(c));
    const updates = given.map((c) => `"${c}" = EXCLUDED."${c}"`);
    updates.push('"updatedAt" = now()');
    const when =
      onlyChanged && given.length > 0
        ? ` WHERE (${given.map((c) => `"${table}"."${c}"`).join(', ')}) IS DISTINCT FROM (${given.map((c) => `EXCLUDED."${c}"`).join(', ')})`
        : onlyChanged
          ? ' WHERE false'
          : '';
    const { rows: out } = (await db.raw(
      `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')})
       VALUES ${group.map(() => placeholders).join(', ')}
       ON CONFLICT (${key.map((c) => `"${c}"`).join(', ')}) DO UPDATE SET ${updates.join(', ')}${when}
       RETURNING *`,
      params as Knex.RawBinding[],
    )) as { rows: R[] };
    for (const row of out) {
      stored.set(JSON.stringify(key.map((c) => (row as Record<string, unknown>)[c])), row);
    }
  }
  const ordered = [...merged.keys()].map((id) => stored.get(id));
  return (onlyChanged ? ordered.filter((row) => row !== undefined) : ordered) as R[];
}
