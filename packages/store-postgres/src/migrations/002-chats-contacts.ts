import { sqlMigration } from '@zapgate/core';

/**
 * Chats and contacts. No foreign key to sessions: deleting a session with `keepData` keeps
 * them, so the session repository deletes them explicitly otherwise.
 */
export const chatsAndContacts = sqlMigration(
  '002_chats_contacts',
  [
    `CREATE TABLE "chats" (
      "sessionId" uuid NOT NULL,
      "chatJid" text NOT NULL,
      "chatName" text,
      "phoneNumber" text,
      "isGroup" boolean NOT NULL DEFAULT false,
      "lastMsgAt" timestamptz,
      "unreadCount" integer NOT NULL DEFAULT 0,
      "isArchived" boolean NOT NULL DEFAULT false,
      "isPinned" boolean NOT NULL DEFAULT false,
      "mutedUntil" timestamptz,
      "metadata" jsonb NOT NULL DEFAULT '{}',
      "createdAt" timestamptz NOT NULL DEFAULT now(),
      "updatedAt" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("sessionId", "chatJid")
    )`,
    // "most recent activity first" with chats never messaged last
    `CREATE INDEX "chats_activity_idx" ON "chats" ("sessionId", (coalesce("lastMsgAt", '-infinity')) DESC, "chatJid")`,
    `CREATE TABLE "contacts" (
      "sessionId" uuid NOT NULL,
      "jid" text NOT NULL,
      "lid" text,
      "phoneNumber" text,
      "name" text,
      "pushName" text,
      "isBusiness" boolean NOT NULL DEFAULT false,
      "avatarUrl" text,
      "updatedAt" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("sessionId", "jid")
    )`,
    `CREATE INDEX "contacts_lid_idx" ON "contacts" ("sessionId", "lid") WHERE "lid" IS NOT NULL`,
  ],
  ['DROP TABLE "contacts"', 'DROP TABLE "chats"'],
);
