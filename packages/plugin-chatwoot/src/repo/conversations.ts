import { type SqlClient, sqlValues } from '@zapgate/core';

/** The Chatwoot conversation of one WhatsApp chat of a session. */
export interface ConversationLink {
  sessionId: string;
  chatJid: string;
  inboxId: number;
  contactId: number;
  sourceId: string;
  conversationId: number;
  status: string;
  updatedAt: string;
}

const columns = `"sessionId", "chatJid", "inboxId", "contactId", "sourceId", "conversationId", "status", "updatedAt"`;

function rowOf(row: Record<string, unknown>): ConversationLink {
  return {
    sessionId: String(row.sessionId),
    chatJid: String(row.chatJid),
    inboxId: Number(row.inboxId),
    contactId: Number(row.contactId),
    sourceId: String(row.sourceId),
    conversationId: Number(row.conversationId),
    status: String(row.status),
    updatedAt: sqlValues.iso(row.updatedAt),
  };
}

/** `chatwootConversations`: one row per (session, chat); the primary key forbids a second one. */
export const conversationsRepo = {
  async get(sql: SqlClient, sessionId: string, chatJid: string): Promise<ConversationLink | null> {
    const rows = await sql.query(
      `SELECT ${columns} FROM "chatwootConversations" WHERE "sessionId" = ? AND "chatJid" = ?`,
      [sessionId, chatJid],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  async byConversation(
    sql: SqlClient,
    sessionId: string,
    conversationId: number,
  ): Promise<ConversationLink | null> {
    const rows = await sql.query(
      `SELECT ${columns} FROM "chatwootConversations" WHERE "sessionId" = ? AND "conversationId" = ?`,
      [sessionId, conversationId],
    );
    return rows[0] ? rowOf(rows[0]) : null;
  },

  /** Links a chat to a conversation, replacing a previous link (a conversation made anew). */
  async save(sql: SqlClient, link: Omit<ConversationLink, 'updatedAt'>): Promise<ConversationLink> {
    const rows = await sql.query(
      `INSERT INTO "chatwootConversations" ("sessionId", "chatJid", "inboxId", "contactId", "sourceId", "conversationId", "status")
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("sessionId", "chatJid") DO UPDATE SET "inboxId" = excluded."inboxId",
         "contactId" = excluded."contactId", "sourceId" = excluded."sourceId",
         "conversationId" = excluded."conversationId", "status" = excluded."status", "updatedAt" = clock_timestamp()
       RETURNING ${columns}`,
      [
        link.sessionId,
        link.chatJid,
        link.inboxId,
        link.contactId,
        link.sourceId,
        link.conversationId,
        link.status,
      ],
    );
    return rowOf(rows[0]!);
  },

  /** Records a status Chatwoot reported (`conversation_status_changed`). */
  async setStatus(sql: SqlClient, sessionId: string, conversationId: number, status: string): Promise<void> {
    await sql.query(
      `UPDATE "chatwootConversations" SET "status" = ?, "updatedAt" = clock_timestamp()
       WHERE "sessionId" = ? AND "conversationId" = ?`,
      [status, sessionId, conversationId],
    );
  },

  /** Forgets a link (the conversation no longer exists in Chatwoot). */
  async remove(sql: SqlClient, sessionId: string, chatJid: string): Promise<void> {
    await sql.query(`DELETE FROM "chatwootConversations" WHERE "sessionId" = ? AND "chatJid" = ?`, [
      sessionId,
      chatJid,
    ]);
  },
};
