import type { SqlClient } from '@zapgate/core';

/** The Chatwoot contact (and its contact inbox) a WhatsApp user is bridged as. */
export interface ContactLink {
  jid: string;
  contactId: number;
  sourceId: string;
  inboxId: number;
}

/**
 * `chatwootContacts`: WhatsApp user JID → Chatwoot contact. A person known by a LID and by a
 * phone JID has two rows pointing at the same contact.
 */
export const contactsRepo = {
  /** The first of `jids` (in the order given) that is linked. */
  async find(
    sql: SqlClient,
    sessionId: string,
    inboxId: number,
    jids: readonly string[],
  ): Promise<ContactLink | null> {
    if (jids.length === 0) return null;
    const rows = await sql.query<ContactLink>(
      `SELECT "jid", "contactId", "sourceId", "inboxId" FROM "chatwootContacts"
       WHERE "sessionId" = ? AND "inboxId" = ? AND "jid" IN (${jids.map(() => '?').join(', ')})`,
      [sessionId, inboxId, ...jids],
    );
    const byJid = new Map(rows.map((row) => [row.jid, row]));
    const found = jids.map((jid) => byJid.get(jid)).find(Boolean);
    return found ? { ...found, contactId: Number(found.contactId), inboxId: Number(found.inboxId) } : null;
  },

  /** Links every one of `jids` to the contact. */
  async link(
    sql: SqlClient,
    sessionId: string,
    jids: readonly string[],
    link: Omit<ContactLink, 'jid'>,
  ): Promise<void> {
    for (const jid of new Set(jids)) {
      await sql.query(
        `INSERT INTO "chatwootContacts" ("sessionId", "jid", "contactId", "sourceId", "inboxId") VALUES (?, ?, ?, ?, ?)
         ON CONFLICT ("sessionId", "jid") DO UPDATE SET "contactId" = excluded."contactId",
           "sourceId" = excluded."sourceId", "inboxId" = excluded."inboxId", "updatedAt" = clock_timestamp()`,
        [sessionId, jid, link.contactId, link.sourceId, link.inboxId],
      );
    }
  },
};
