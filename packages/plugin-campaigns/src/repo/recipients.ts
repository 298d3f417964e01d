import { type SqlClient, sqlValues } from '@zapgate/core';
import { canMove, type RecipientStatus, recipientStatuses, statusTimestamp } from '../tracking/status.js';

/** A recipient of a campaign as stored. */
export interface RecipientRecord {
  campaignId: string;
  seq: number;
  phone: string;
  variables: Record<string, string>;
  variantId: string;
  status: RecipientStatus;
  reason: string | null;
  sessionId: string | null;
  /** 0: the first message is next/sent; 1: the follow-up was sent (or is being sent). */
  step: number;
  messageId: string | null;
  waid: string | null;
  followUpMessageId: string | null;
  followUpWaid: string | null;
  followUpDueAt: string | null;
  sendingAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  repliedAt: string | null;
  failedAt: string | null;
  skippedAt: string | null;
  optedOutAt: string | null;
  updatedAt: string;
}

/** A recipient to insert. */
export interface NewRecipient {
  phone: string;
  variables: Record<string, string>;
  variantId: string;
}

const { iso, isoOrNull, fromJson, json, stringOrNull } = sqlValues;
const table = '"campaignRecipients"';

export function recipientFromRow(row: Record<string, unknown>): RecipientRecord {
  return {
    campaignId: String(row.campaignId),
    seq: Number(row.seq),
    phone: String(row.phone),
    variables: fromJson(row.variables),
    variantId: String(row.variantId),
    status: row.status as RecipientStatus,
    reason: stringOrNull(row.reason),
    sessionId: stringOrNull(row.sessionId),
    step: Number(row.step),
    messageId: stringOrNull(row.messageId),
    waid: stringOrNull(row.waid),
    followUpMessageId: stringOrNull(row.followUpMessageId),
    followUpWaid: stringOrNull(row.followUpWaid),
    followUpDueAt: isoOrNull(row.followUpDueAt),
    sendingAt: isoOrNull(row.sendingAt),
    sentAt: isoOrNull(row.sentAt),
    deliveredAt: isoOrNull(row.deliveredAt),
    readAt: isoOrNull(row.readAt),
    repliedAt: isoOrNull(row.repliedAt),
    failedAt: isoOrNull(row.failedAt),
    skippedAt: isoOrNull(row.skippedAt),
    optedOutAt: isoOrNull(row.optedOutAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Statuses a recipient may move to `to` from (see {@link canMove}). */
const sourcesOf = (to: RecipientStatus) =>
  `{${recipientStatuses.filter((from) => canMove(from, to)).join(',')}}`;

const batch = 500;

/** A status change that happened, for `campaign.recipient` events. */
export interface RecipientChange {
  recipient: RecipientRecord;
  previous: RecipientStatus;
}

/** Recipients of campaigns: the unit every send and receipt is tracked on. */
export const recipientsRepo = {
  /** Appends recipients after the campaign's last `seq`, skipping numbers it already has. */
  async append(sql: SqlClient, campaignId: string, recipients: readonly NewRecipient[]): Promise<number> {
    const [last] = await sql.query<{ max: number | null }>(
      `SELECT max("seq") AS "max" FROM ${table} WHERE "campaignId" = ?`,
      [campaignId],
    );
    let seq = Number(last?.max ?? -1) + 1;
    let inserted = 0;
    for (let start = 0; start < recipients.length; start += batch) {
      const chunk = recipients.slice(start, start + batch);
      const rows = await sql.query(
        `INSERT INTO ${table} ("campaignId", "seq", "phone", "variables", "variantId")
         VALUES ${chunk.map(() => '(?, ?, ?, ?::jsonb, ?)').join(', ')}
         ON CONFLICT ("campaignId", "phone") DO NOTHING RETURNING 1`,
        chunk.flatMap((r) => [campaignId, seq++, r.phone, json(r.variables), r.variantId]),
      );
      inserted += rows.length;
    }
    return inserted;
  },

  /** Removes the recipients nothing was sent to yet (to replace the audience of a draft or paused campaign). */
  async deletePending(sql: SqlClient, campaignId: string): Promise<number> {
    const rows = await sql.query(
      `DELETE FROM ${table} WHERE "campaignId" = ? AND "status" = 'pending' RETURNING 1`,
      [campaignId],
    );
    return rows.length;
  },

  /** Copies every recipient of `fromId` to `toId` as pending (clone). */
  async copy(sql: SqlClient, fromId: string, toId: string): Promise<void> {
    await sql.query(
      `INSERT INTO ${table} ("campaignId", "seq", "phone", "variables", "variantId")
       SELECT ?, "seq", "phone", "variables", "variantId" FROM ${table} WHERE "campaignId" = ?`,
      [toId, fromId],
    );
  },

  async get(sql: SqlClient, campaignId: string, seq: number, options: { lock?: boolean } = {}) {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "seq" = ?${options.lock ? ' FOR UPDATE' : ''}`,
      [campaignId, seq],
    );
    return rows[0] ? recipientFromRow(rows[0]) : null;
  },

  /**
   * Takes the next pending recipient for `sessionId` (`pending → sending`), skipping rows
   * another process holds: two senders never take the same recipient.
   */
  async claimNext(sql: SqlClient, campaignId: string, sessionId: string): Promise<RecipientRecord | null> {
    const rows = await sql.query(
      `UPDATE ${table} SET "status" = 'sending', "sessionId" = ?, "sendingAt" = clock_timestamp(), "updatedAt" = clock_timestamp()
       WHERE ("campaignId", "seq") = (
         SELECT "campaignId", "seq" FROM ${table} WHERE "campaignId" = ? AND "status" = 'pending'
         ORDER BY "seq" LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [sessionId, campaignId],
    );
    return rows[0] ? recipientFromRow(rows[0]) : null;
  },

  /** Recipients a session took but did not finish (`sending`): after a crash, their send is retried by key. */
  async inFlight(sql: SqlClient, campaignId: string, sessionId: string): Promise<RecipientRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ? AND "status" = 'sending' ORDER BY "seq"`,
      [campaignId, sessionId],
    );
    return rows.map(recipientFromRow);
  },

  /**
   * Moves a recipient to `to` when allowed ({@link canMove}), stamping that status's time;
   * a receipt that does not move the status (a delivery after `read`) still stamps its time.
   * Returns the change, or null when the status did not move.
   */
  async transition(
    sql: SqlClient,
    campaignId: string,
    seq: number,
    to: Exclude<RecipientStatus, 'pending'>,
    extra: { reason?: string | null; at?: string } = {},
  ): Promise<RecipientChange | null> {
    const column = `"${statusTimestamp[to]}"`;
    const rows = await sql.query(
      `WITH old AS (SELECT "status" FROM ${table} WHERE "campaignId" = ? AND "seq" = ? FOR UPDATE)
       UPDATE ${table} r SET
         "status" = CASE WHEN r."status" = ANY(?::text[]) THEN ? ELSE r."status" END,
         ${column} = COALESCE(r.${column}, ?::timestamptz, clock_timestamp()),
         "reason" = CASE WHEN r."status" = ANY(?::text[]) AND ?::text IS NOT NULL THEN ?::text ELSE r."reason" END,
         "updatedAt" = clock_timestamp()
       FROM old WHERE r."campaignId" = ? AND r."seq" = ?
       RETURNING r.*, old."status" AS "previous"`,
      [
        campaignId,
        seq,
        sourcesOf(to),
        to,
        extra.at ?? null,
        sourcesOf(to),
        extra.reason ?? null,
        extra.reason ?? null,
        campaignId,
        seq,
      ],
    );
    const row = rows[0];
    if (!row || row.previous === row.status) return null;
    return { recipient: recipientFromRow(row), previous: row.previous as RecipientStatus };
  },

  /** Records the message sent for a step (0: first message, 1: follow-up). */
  async setMessage(
    sql: SqlClient,
    campaignId: string,
    seq: number,
    step: 0 | 1,
    message: { id: string; waid: string },
    followUpDueAt: string | null,
  ): Promise<void> {
    await sql.query(
      step === 0
        ? `UPDATE ${table} SET "messageId" = ?, "waid" = ?, "followUpDueAt" = ?::timestamptz, "updatedAt" = clock_timestamp()
           WHERE "campaignId" = ? AND "seq" = ?`
        : `UPDATE ${table} SET "followUpMessageId" = ?, "followUpWaid" = ?, "followUpDueAt" = ?::timestamptz,
             "step" = 1, "updatedAt" = clock_timestamp() WHERE "campaignId" = ? AND "seq" = ?`,
      [message.id, message.waid, followUpDueAt, campaignId, seq],
    );
  },

  /** The recipient a session's message (first or follow-up) went to, by its WhatsApp id. */
  async byWaid(sql: SqlClient, sessionId: string, waid: string): Promise<RecipientRecord | null> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "sessionId" = ? AND ("waid" = ? OR "followUpWaid" = ?) LIMIT 1`,
      [sessionId, waid, waid],
    );
    return rows[0] ? recipientFromRow(rows[0]) : null;
  },

  /** Recipients a session reached at `phone` whose reply would count (newest first). */
  async reachedByPhone(sql: SqlClient, sessionId: string, phone: string): Promise<RecipientRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "sessionId" = ? AND "phone" = ? AND "status" IN ('sent', 'delivered', 'read', 'replied')
       ORDER BY "sentAt" DESC NULLS LAST`,
      [sessionId, phone],
    );
    return rows.map(recipientFromRow);
  },

  /** Recipients of a campaign not sent to yet (`pending` or `sending`). */
  async pendingCount(sql: SqlClient, campaignId: string): Promise<number> {
    const [row] = await sql.query<{ count: string }>(
      `SELECT count(*) AS "count" FROM ${table} WHERE "campaignId" = ? AND "status" IN ('pending', 'sending')`,
      [campaignId],
    );
    return Number(row?.count ?? 0);
  },

  /** Counts per variant and status. */
  async counts(
    sql: SqlClient,
    campaignId: string,
  ): Promise<Array<{ variantId: string; status: RecipientStatus; count: number }>> {
    const rows = await sql.query(
      `SELECT "variantId", "status", count(*) AS "count" FROM ${table} WHERE "campaignId" = ? GROUP BY 1, 2`,
      [campaignId],
    );
    return rows.map((row) => ({
      variantId: String(row.variantId),
      status: row.status as RecipientStatus,
      count: Number(row.count),
    }));
  },

  /** A page of recipients in audience order after `afterSeq`, optionally of some statuses. */
  async page(
    sql: SqlClient,
    campaignId: string,
    options: { limit: number; afterSeq?: number; statuses?: readonly RecipientStatus[] },
  ): Promise<RecipientRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "seq" > ?
       ${options.statuses?.length ? 'AND "status" = ANY(?::text[])' : ''} ORDER BY "seq" LIMIT ?`,
      [
        campaignId,
        options.afterSeq ?? -1,
        ...(options.statuses?.length ? [`{${options.statuses.join(',')}}`] : []),
        options.limit,
      ],
    );
    return rows.map(recipientFromRow);
  },

  /** Recipients due for their follow-up (no reply, not stopped), oldest due first. */
  async dueFollowUps(sql: SqlClient, campaignId: string, sessionId: string, now: string, limit: number) {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ? AND "step" = 0 AND "followUpDueAt" <= ?::timestamptz
         AND "status" IN ('sent', 'delivered', 'read') ORDER BY "followUpDueAt" LIMIT ?`,
      [campaignId, sessionId, now, limit],
    );
    return rows.map(recipientFromRow);
  },
};
