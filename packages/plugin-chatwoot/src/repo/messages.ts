import type { SqlClient } from '@zapgate/core';

/** Which way a message was bridged. */
export type Direction = 'to_chatwoot' | 'to_whatsapp';

/** One bridged message: a WhatsApp message id and the Chatwoot message it is. */
export interface MessageLink {
  chatJid: string;
  /** The WhatsApp message id (or `<waid>@edit:<ms>` for an edit note). */
  waid: string;
  chatwootMessageId: number;
  conversationId: number;
  direction: Direction;
  /** Zapgate's id of the WhatsApp message (to edit or revoke it), when known. */
  messageId?: string | null;
}

const columns = `"chatJid", "waid", "chatwootMessageId", "conversationId", "direction", "messageId"`;
const rowOf = (row: Record<string, unknown>): MessageLink => ({
  chatJid: String(row.chatJid),
  waid: String(row.waid),
  chatwootMessageId: Number(row.chatwootMessageId),
  conversationId: Number(row.conversationId),
  direction: row.direction as Direction,
  messageId: row.messageId === null || row.messageId === undefined ? null : String(row.messageId),
});

/**
 * `chatwootMessages`, the id map: a WhatsApp message is bridged at most once per chat (the
 * primary key), which is what makes replays, retries and crashes harmless.
 */
export const messagesRepo = {
  async get(sql: SqlClient, sessionId: string, chatJid: string, waid: string): Promise<MessageLink | null> {
    const rows = await sql.query(
      `SELECT ${columns} FROM "chatwootMessages" WHERE "sessionId" = ? AND "chatJid" = ? AND "waid" = ?`,
      [sessionId, chatJid, waid],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** The WhatsApp messages a Chatwoot message was bridged as or from (several for several attachments). */
  async byChatwootId(sql: SqlClient, sessionId: string, chatwootMessageId: number): Promise<MessageLink[]> {
    const rows = await sql.query(
      `SELECT ${columns} FROM "chatwootMessages" WHERE "sessionId" = ? AND "chatwootMessageId" = ? ORDER BY "createdAt"`,
      [sessionId, chatwootMessageId],
    );
    return rows.map(rowOf);
  },

  /** Records a bridged message; false when it was already recorded (the first link stays). */
  async save(sql: SqlClient, sessionId: string, link: MessageLink): Promise<boolean> {
    const rows = await sql.query(
      `INSERT INTO "chatwootMessages" ("sessionId", ${columns}) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("sessionId", "chatJid", "waid") DO NOTHING RETURNING "waid"`,
      [
        sessionId,
        link.chatJid,
        link.waid,
        link.chatwootMessageId,
        link.conversationId,
        link.direction,
        link.messageId ?? null,
      ],
    );
    return rows.length === 1;
  },

  /** Forgets a link (a reaction replaced or removed). */
  async remove(sql: SqlClient, sessionId: string, chatJid: string, waid: string): Promise<void> {
    await sql.query(`DELETE FROM "chatwootMessages" WHERE "sessionId" = ? AND "chatJid" = ? AND "waid" = ?`, [
      sessionId,
      chatJid,
      waid,
    ]);
  },
};
