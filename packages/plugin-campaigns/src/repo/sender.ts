import { type SqlClient, sqlValues } from '@zapgate/core';
import { type RecipientRecord, recipientFromRow } from './recipients.js';

const table = '"campaignRecipients"';
const reached = `('sent', 'delivered', 'read')`;

/** A sending session's part of a campaign as its sender sees it. */
export interface SenderPart {
  status: 'active' | 'paused';
  chainId: string | null;
}

/** What a session's sender reads and writes besides statuses (which go through `moveRecipient`). */
export const senderRepo = {
  /** The session's part, locked for the rest of the transaction (serialises its sender with pause and resume). */
  async lockPart(sql: SqlClient, campaignId: string, sessionId: string): Promise<SenderPart | null> {
    const [row] = await sql.query(
      `SELECT "status", "chainId" FROM "campaignSessions" WHERE "campaignId" = ? AND "sessionId" = ? FOR UPDATE`,
      [campaignId, sessionId],
    );
    return row
      ? { status: row.status as 'active' | 'paused', chainId: sqlValues.stringOrNull(row.chainId) }
      : null;
  },

  async setChain(sql: SqlClient, campaignId: string, sessionId: string, chainId: string): Promise<void> {
    await sql.query(
      `UPDATE "campaignSessions" SET "chainId" = ? WHERE "campaignId" = ? AND "sessionId" = ?`,
      [chainId, campaignId, sessionId],
    );
  },

  /**
   * A recipient this session took but whose message was not recorded (the process stopped
   * between taking it and recording the send): the first message, or a follow-up. Recipients
   * in `sending` (sends the caller has on their way) are not unfinished.
   */
  async unfinished(
    sql: SqlClient,
    campaignId: string,
    sessionId: string,
    sending: readonly number[] = [],
  ): Promise<RecipientRecord | null> {
    const [row] = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ?
         AND (("status" = 'sending' AND "messageId" IS NULL)
           OR ("step" = 1 AND "followUpMessageId" IS NULL AND "status" NOT IN ('skipped', 'failed', 'opted_out')))
         AND NOT ("seq" = ANY(?::int[]))
       ORDER BY "seq" LIMIT 1`,
      [campaignId, sessionId, sending],
    );
    return row ? recipientFromRow(row) : null;
  },

  /** The next pending recipient (only a checked one when the campaign checks numbers first). */
  async nextPending(
    sql: SqlClient,
    campaignId: string,
    checkedOnly = false,
  ): Promise<RecipientRecord | null> {
    const [row] = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "status" = 'pending'
       ${checkedOnly ? 'AND "checkedAt" IS NOT NULL' : ''} ORDER BY "seq" LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [campaignId],
    );
    return row ? recipientFromRow(row) : null;
  },

  /** The first `limit` pending recipients whose number was not checked on WhatsApp yet. */
  async unchecked(sql: SqlClient, campaignId: string, limit: number): Promise<RecipientRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "status" = 'pending' AND "checkedAt" IS NULL
       ORDER BY "seq" LIMIT ?`,
      [campaignId, limit],
    );
    return rows.map(recipientFromRow);
  },

  /** Records that these recipients' numbers were checked. */
  async markChecked(sql: SqlClient, campaignId: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await sql.query(
      `UPDATE ${table} SET "checkedAt" = clock_timestamp() WHERE "campaignId" = ? AND "seq" = ANY(?::int[])`,
      [campaignId, seqs],
    );
  },

  async hasPending(sql: SqlClient, campaignId: string): Promise<boolean> {
    const rows = await sql.query(
      `SELECT 1 FROM ${table} WHERE "campaignId" = ? AND "status" = 'pending' LIMIT 1`,
      [campaignId],
    );
    return rows.length > 0;
  },

  /** Takes a pending recipient for `sessionId` (`pending → sending` is stamped by the caller's move). */
  async assign(sql: SqlClient, campaignId: string, seq: number, sessionId: string): Promise<void> {
    await sql.query(`UPDATE ${table} SET "sessionId" = ? WHERE "campaignId" = ? AND "seq" = ?`, [
      sessionId,
      campaignId,
      seq,
    ]);
  },

  /** The earliest follow-up of this session still to send: its due time (null: none). */
  async nextFollowUpAt(sql: SqlClient, campaignId: string, sessionId: string): Promise<number | null> {
    const [row] = await sql.query(
      `SELECT min("followUpDueAt") AS "at" FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ?
         AND "step" = 0 AND "followUpDueAt" IS NOT NULL AND "status" IN ${reached}`,
      [campaignId, sessionId],
    );
    return row?.at ? Date.parse(sqlValues.iso(row.at)) : null;
  },

  /** Takes a due follow-up (`step` 1, no longer due), locked against other senders. */
  async takeFollowUp(
    sql: SqlClient,
    campaignId: string,
    sessionId: string,
    now: number,
  ): Promise<RecipientRecord | null> {
    const rows = await sql.query(
      `UPDATE ${table} SET "step" = 1, "followUpDueAt" = NULL, "updatedAt" = clock_timestamp()
       WHERE ("campaignId", "seq") = (
         SELECT "campaignId", "seq" FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ? AND "step" = 0
           AND "followUpDueAt" <= ?::timestamptz AND "status" IN ${reached}
         ORDER BY "followUpDueAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [campaignId, sessionId, new Date(now).toISOString()],
    );
    return rows[0] ? recipientFromRow(rows[0]) : null;
  },

  /** Recipients of this session whose message is recorded but not yet known as sent (waiting for `message.sent`). */
  async awaitingSent(sql: SqlClient, campaignId: string, sessionId: string): Promise<RecipientRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "campaignId" = ? AND "sessionId" = ? AND "status" = 'sending' AND "messageId" IS NOT NULL
       ORDER BY "seq" LIMIT 100`,
      [campaignId, sessionId],
    );
    return rows.map(recipientFromRow);
  },

  /** Recipients of the campaign that still need a send (pending, in flight, or a follow-up to come). */
  async outstanding(sql: SqlClient, campaignId: string): Promise<number> {
    const [row] = await sql.query<{ count: string }>(
      `SELECT count(*) AS "count" FROM ${table} WHERE "campaignId" = ? AND (
         "status" IN ('pending', 'sending')
         OR ("step" = 0 AND "followUpDueAt" IS NOT NULL AND "status" IN ${reached})
         OR ("step" = 1 AND "followUpMessageId" IS NULL AND "status" NOT IN ('skipped', 'failed', 'opted_out')))`,
      [campaignId],
    );
    return Number(row?.count ?? 0);
  },
};
