import { type SqlClient, sqlValues } from '@zapgate/core';

/** Why a number is on a session's suppression list. */
export type SuppressionReason = 'opt_out' | 'manual';

/** A number a session never sends campaign (or other) messages to. */
export interface SuppressionRecord {
  sessionId: string;
  phone: string;
  reason: SuppressionReason;
  campaignId: string | null;
  note: string | null;
  createdAt: string;
}

const { iso, stringOrNull } = sqlValues;
const table = '"campaignSuppressions"';

const fromRow = (row: Record<string, unknown>): SuppressionRecord => ({
  sessionId: String(row.sessionId),
  phone: String(row.phone),
  reason: row.reason as SuppressionReason,
  campaignId: stringOrNull(row.campaignId),
  note: stringOrNull(row.note),
  createdAt: iso(row.createdAt),
});

/** Per-session suppression lists (opt-outs and numbers added by hand). */
export const suppressionsRepo = {
  /** Adds a number; an existing entry is kept as it is. Returns the entry and whether it is new. */
  async add(
    sql: SqlClient,
    entry: Omit<SuppressionRecord, 'createdAt'>,
  ): Promise<{ entry: SuppressionRecord; created: boolean }> {
    const inserted = await sql.query(
      `INSERT INTO ${table} ("sessionId", "phone", "reason", "campaignId", "note") VALUES (?, ?, ?, ?, ?)
       ON CONFLICT ("sessionId", "phone") DO NOTHING RETURNING *`,
      [entry.sessionId, entry.phone, entry.reason, entry.campaignId, entry.note],
    );
    if (inserted[0]) return { entry: fromRow(inserted[0]), created: true };
    return { entry: (await suppressionsRepo.get(sql, entry.sessionId, entry.phone))!, created: false };
  },

  async get(sql: SqlClient, sessionId: string, phone: string): Promise<SuppressionRecord | null> {
    const rows = await sql.query(`SELECT * FROM ${table} WHERE "sessionId" = ? AND "phone" = ?`, [
      sessionId,
      phone,
    ]);
    return rows[0] ? fromRow(rows[0]) : null;
  },

  /** True when the number is suppressed for the session. */
  async has(sql: SqlClient, sessionId: string, phone: string): Promise<boolean> {
    const rows = await sql.query(`SELECT 1 FROM ${table} WHERE "sessionId" = ? AND "phone" = ?`, [
      sessionId,
      phone,
    ]);
    return rows.length > 0;
  },

  async remove(sql: SqlClient, sessionId: string, phone: string): Promise<boolean> {
    const rows = await sql.query(`DELETE FROM ${table} WHERE "sessionId" = ? AND "phone" = ? RETURNING 1`, [
      sessionId,
      phone,
    ]);
    return rows.length > 0;
  },

  /** A page, newest first, after the `(createdAt, phone)` of the previous page's last entry. */
  async list(
    sql: SqlClient,
    sessionId: string,
    options: { limit: number; after?: [string, string] },
  ): Promise<SuppressionRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "sessionId" = ?
       ${options.after ? 'AND ("createdAt", "phone") < (?::timestamptz, ?)' : ''}
       ORDER BY "createdAt" DESC, "phone" DESC LIMIT ?`,
      [sessionId, ...(options.after ?? []), options.limit],
    );
    return rows.map(fromRow);
  },
};
