import { type SqlClient, sqlValues } from '@zapgate/core';
import { initialPacingState, type PacingState } from '../pacing/planner.js';

/** The stored pacing state of each sending session (shared by every campaign it sends). */
export const pacingRepo = {
  /** The session's state, locked for the rest of the transaction (created on first use). */
  async lock(sql: SqlClient, sessionId: string): Promise<PacingState> {
    await sql.query(
      `INSERT INTO "campaignPacing" ("sessionId", "state") VALUES (?, ?::jsonb) ON CONFLICT ("sessionId") DO NOTHING`,
      [sessionId, sqlValues.json(initialPacingState())],
    );
    const [row] = await sql.query('SELECT "state" FROM "campaignPacing" WHERE "sessionId" = ? FOR UPDATE', [
      sessionId,
    ]);
    return sqlValues.fromJson<PacingState>(row!.state);
  },

  async get(sql: SqlClient, sessionId: string): Promise<PacingState> {
    const [row] = await sql.query('SELECT "state" FROM "campaignPacing" WHERE "sessionId" = ?', [sessionId]);
    return row ? sqlValues.fromJson<PacingState>(row.state) : initialPacingState();
  },

  async save(sql: SqlClient, sessionId: string, state: PacingState): Promise<void> {
    await sql.query(
      `UPDATE "campaignPacing" SET "state" = ?::jsonb, "updatedAt" = clock_timestamp() WHERE "sessionId" = ?`,
      [sqlValues.json(state), sessionId],
    );
  },
};
