import { type SqlClient, sqlValues } from '@zapgate/core';

/** Where a history import is. */
export interface ImportProgress {
  /** Identifies one run (a job of an earlier run that is still queued finds a newer run and stops). */
  runId: string;
  since: string;
  until: string;
  contacts: number;
  messages: number;
  skipped: number;
  /** Cursor of the next page of contacts, or of chats. */
  cursor: string | null;
  /** Chats whose import was queued, and done. */
  chats: number;
  chatsDone: number;
  /** Every chat has been queued (the run completes when the last one is done). */
  listed: boolean;
}

/** A history import of one session. */
export interface ImportState {
  sessionId: string;
  status: 'running' | 'completed' | 'failed';
  phase: 'contacts' | 'messages' | 'done';
  progress: ImportProgress;
  error: string | null;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

const columns = `"sessionId", "status", "phase", "progress", "error", "startedAt", "updatedAt", "finishedAt"`;
const rowOf = (row: Record<string, unknown>): ImportState => ({
  sessionId: String(row.sessionId),
  status: row.status as ImportState['status'],
  phase: row.phase as ImportState['phase'],
  progress: (typeof row.progress === 'string' ? JSON.parse(row.progress) : row.progress) as ImportProgress,
  error: sqlValues.stringOrNull(row.error),
  startedAt: sqlValues.iso(row.startedAt),
  updatedAt: sqlValues.iso(row.updatedAt),
  finishedAt: row.finishedAt ? sqlValues.iso(row.finishedAt) : null,
});

/** `chatwootImports`: the latest history import of each session. */
export const importsRepo = {
  async get(sql: SqlClient, sessionId: string): Promise<ImportState | null> {
    const rows = await sql.query(`SELECT ${columns} FROM "chatwootImports" WHERE "sessionId" = ?`, [
      sessionId,
    ]);
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** Starts a run, replacing a finished one; null when a run is already going. */
  async start(sql: SqlClient, sessionId: string, progress: ImportProgress): Promise<ImportState | null> {
    const rows = await sql.query(
      `INSERT INTO "chatwootImports" ("sessionId", "status", "phase", "progress")
       VALUES (?, 'running', 'contacts', ?::jsonb)
       ON CONFLICT ("sessionId") DO UPDATE SET "status" = 'running', "phase" = 'contacts',
         "progress" = excluded."progress", "error" = NULL, "startedAt" = clock_timestamp(),
         "updatedAt" = clock_timestamp(), "finishedAt" = NULL
       WHERE "chatwootImports"."status" <> 'running'
       RETURNING ${columns}`,
      [sessionId, JSON.stringify(progress)],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** Sets the phase and progress fields of the run `runId`; null when another run replaced it. */
  async update(
    sql: SqlClient,
    sessionId: string,
    runId: string,
    change: { phase?: ImportState['phase']; progress?: Partial<ImportProgress> },
  ): Promise<ImportState | null> {
    const rows = await sql.query(
      `UPDATE "chatwootImports" SET "phase" = COALESCE(?, "phase"), "progress" = "progress" || ?::jsonb,
         "updatedAt" = clock_timestamp()
       WHERE "sessionId" = ? AND "progress"->>'runId' = ? AND "status" = 'running'
       RETURNING ${columns}`,
      [change.phase ?? null, JSON.stringify(change.progress ?? {}), sessionId, runId],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** Adds the counts of one chat's import to the run (atomic: chats import in parallel lanes). */
  async addChat(
    sql: SqlClient,
    sessionId: string,
    runId: string,
    counts: { messages: number; skipped: number },
  ): Promise<ImportState | null> {
    const rows = await sql.query(
      `UPDATE "chatwootImports" SET "progress" = "progress"
         || jsonb_build_object('messages', ("progress"->>'messages')::int + ?::int,
                               'skipped', ("progress"->>'skipped')::int + ?::int,
                               'chatsDone', ("progress"->>'chatsDone')::int + 1),
         "updatedAt" = clock_timestamp()
       WHERE "sessionId" = ? AND "progress"->>'runId' = ? AND "status" = 'running'
       RETURNING ${columns}`,
      [counts.messages, counts.skipped, sessionId, runId],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** Ends the run `runId` (completed, or failed with the error); null when it had ended already. */
  async finish(
    sql: SqlClient,
    sessionId: string,
    runId: string,
    error: string | null,
  ): Promise<ImportState | null> {
    const rows = await sql.query(
      `UPDATE "chatwootImports" SET "status" = ?, "phase" = 'done', "error" = ?,
         "updatedAt" = clock_timestamp(), "finishedAt" = clock_timestamp()
       WHERE "sessionId" = ? AND "progress"->>'runId' = ? AND "status" = 'running'
       RETURNING ${columns}`,
      [error ? 'failed' : 'completed', error, sessionId, runId],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },
};
