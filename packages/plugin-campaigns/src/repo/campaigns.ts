import { type SqlClient, sqlValues } from '@zapgate/core';
import type { CampaignContent } from '../content/schemas.js';
import type { CampaignSchedule } from '../schedule/schemas.js';

/** Where a campaign stands. */
export const campaignStatuses = [
  'draft',
  'scheduled',
  'running',
  'paused',
  'completed',
  'cancelled',
] as const;
export type CampaignStatus = (typeof campaignStatuses)[number];

/** A sending session of a campaign and whether its part is paused (a safety stop or by hand). */
export interface CampaignSessionRecord {
  sessionId: string;
  position: number;
  status: 'active' | 'paused';
  pausedReason: string | null;
  pausedAt: string | null;
}

/** A campaign as stored. `pacing` and `settings` are as given (defaults applied on read). */
export interface CampaignRecord {
  id: string;
  name: string;
  status: CampaignStatus;
  statusReason: string | null;
  content: CampaignContent;
  schedule: CampaignSchedule;
  pacing: Record<string, unknown>;
  settings: Record<string, unknown>;
  variables: string[];
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** What a create or edit writes. */
export type CampaignFields = Pick<
  CampaignRecord,
  'name' | 'content' | 'schedule' | 'pacing' | 'settings' | 'variables'
>;

const { iso, isoOrNull, fromJson, json, stringOrNull } = sqlValues;

function campaignFromRow(row: Record<string, unknown>): CampaignRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    status: row.status as CampaignStatus,
    statusReason: stringOrNull(row.statusReason),
    content: fromJson(row.content),
    schedule: fromJson(row.schedule),
    pacing: fromJson(row.pacing),
    settings: fromJson(row.settings),
    variables: fromJson(row.variables),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}

const sessionFromRow = (row: Record<string, unknown>): CampaignSessionRecord => ({
  sessionId: String(row.sessionId),
  position: Number(row.position),
  status: row.status as 'active' | 'paused',
  pausedReason: stringOrNull(row.pausedReason),
  pausedAt: isoOrNull(row.pausedAt),
});

/** Campaigns and their sending sessions. */
export const campaignsRepo = {
  async insert(sql: SqlClient, id: string, fields: CampaignFields): Promise<CampaignRecord> {
    const rows = await sql.query(
      `INSERT INTO "campaigns" ("id", "name", "content", "schedule", "pacing", "settings", "variables")
       VALUES (?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb) RETURNING *`,
      [
        id,
        fields.name,
        json(fields.content),
        json(fields.schedule),
        json(fields.pacing),
        json(fields.settings),
        json(fields.variables),
      ],
    );
    return campaignFromRow(rows[0]!);
  },

  async update(sql: SqlClient, id: string, fields: CampaignFields): Promise<CampaignRecord> {
    const rows = await sql.query(
      `UPDATE "campaigns" SET "name" = ?, "content" = ?::jsonb, "schedule" = ?::jsonb, "pacing" = ?::jsonb,
         "settings" = ?::jsonb, "variables" = ?::jsonb, "updatedAt" = clock_timestamp()
       WHERE "id" = ? RETURNING *`,
      [
        fields.name,
        json(fields.content),
        json(fields.schedule),
        json(fields.pacing),
        json(fields.settings),
        json(fields.variables),
        id,
      ],
    );
    return campaignFromRow(rows[0]!);
  },

  /** The campaign, optionally locked for the rest of the transaction. */
  async get(sql: SqlClient, id: string, options: { lock?: boolean } = {}): Promise<CampaignRecord | null> {
    const rows = await sql.query(
      `SELECT * FROM "campaigns" WHERE "id" = ?${options.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? campaignFromRow(rows[0]) : null;
  },

  /** A page of campaigns, newest first, after the `(createdAt, id)` of the previous page's last row. */
  async list(
    sql: SqlClient,
    options: { limit: number; after?: [string, string]; status?: CampaignStatus },
  ): Promise<CampaignRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.status) {
      where.push('"status" = ?');
      params.push(options.status);
    }
    if (options.after) {
      where.push('("createdAt", "id") < (?::timestamptz, ?::uuid)');
      params.push(...options.after);
    }
    const rows = await sql.query(
      `SELECT * FROM "campaigns" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
      [...params, options.limit],
    );
    return rows.map(campaignFromRow);
  },

  async setStatus(
    sql: SqlClient,
    id: string,
    status: CampaignStatus,
    reason: string | null,
  ): Promise<CampaignRecord> {
    const rows = await sql.query(
      `UPDATE "campaigns" SET "status" = ?, "statusReason" = ?, "updatedAt" = clock_timestamp(),
         "startedAt" = CASE WHEN ? = 'running' THEN COALESCE("startedAt", clock_timestamp()) ELSE "startedAt" END,
         "finishedAt" = CASE WHEN ? IN ('completed', 'cancelled') THEN clock_timestamp() ELSE "finishedAt" END
       WHERE "id" = ? RETURNING *`,
      [status, reason, status, status, id],
    );
    return campaignFromRow(rows[0]!);
  },

  async delete(sql: SqlClient, id: string): Promise<void> {
    await sql.query('DELETE FROM "campaigns" WHERE "id" = ?', [id]);
  },

  /** Replaces the sending sessions (their order is the rotation order). */
  async setSessions(sql: SqlClient, id: string, sessionIds: readonly string[]): Promise<void> {
    await sql.query('DELETE FROM "campaignSessions" WHERE "campaignId" = ?', [id]);
    for (const [position, sessionId] of sessionIds.entries())
      await sql.query(
        'INSERT INTO "campaignSessions" ("campaignId", "sessionId", "position") VALUES (?, ?, ?)',
        [id, sessionId, position],
      );
  },

  async sessions(sql: SqlClient, id: string): Promise<CampaignSessionRecord[]> {
    const rows = await sql.query(
      'SELECT * FROM "campaignSessions" WHERE "campaignId" = ? ORDER BY "position"',
      [id],
    );
    return rows.map(sessionFromRow);
  },

  /** Pauses (reason given) or resumes (reason null) one session's part; false when unchanged. */
  async setSessionPaused(
    sql: SqlClient,
    id: string,
    sessionId: string,
    reason: string | null,
  ): Promise<boolean> {
    const rows = await sql.query(
      reason === null
        ? `UPDATE "campaignSessions" SET "status" = 'active', "pausedReason" = NULL, "pausedAt" = NULL
           WHERE "campaignId" = ? AND "sessionId" = ? AND "status" = 'paused' RETURNING 1`
        : `UPDATE "campaignSessions" SET "status" = 'paused', "pausedReason" = ?, "pausedAt" = clock_timestamp()
           WHERE "campaignId" = ? AND "sessionId" = ? AND "status" = 'active' RETURNING 1`,
      reason === null ? [id, sessionId] : [reason, id, sessionId],
    );
    return rows.length > 0;
  },

  /** Campaigns in `statuses` that send from `sessionId`, with that session's part. */
  async bySession(
    sql: SqlClient,
    sessionId: string,
    statuses: readonly CampaignStatus[],
  ): Promise<Array<{ campaign: CampaignRecord; part: CampaignSessionRecord }>> {
    const rows = await sql.query(
      `SELECT c.*, s."sessionId" AS "partSessionId", s."position" AS "partPosition", s."status" AS "partStatus",
         s."pausedReason" AS "partPausedReason", s."pausedAt" AS "partPausedAt"
       FROM "campaigns" c JOIN "campaignSessions" s ON s."campaignId" = c."id"
       WHERE s."sessionId" = ? AND c."status" = ANY(?::text[]) ORDER BY c."createdAt"`,
      [sessionId, `{${statuses.join(',')}}`],
    );
    return rows.map((row) => ({
      campaign: campaignFromRow(row),
      part: sessionFromRow({
        sessionId: row.partSessionId,
        position: row.partPosition,
        status: row.partStatus,
        pausedReason: row.partPausedReason,
        pausedAt: row.partPausedAt,
      }),
    }));
  },
};
