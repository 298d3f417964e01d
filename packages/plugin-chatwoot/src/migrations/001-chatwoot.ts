import { sqlMigration } from '@zapgate/core';

/**
 * The bridge's own tables, per session: its state, the Chatwoot contact of each WhatsApp user
 * (a LID and a phone JID of one person point at one contact), the one conversation of each
 * chat (the primary key is the guarantee against duplicates), the id map of every bridged
 * message (what makes replays and retries no-ops), the callback deliveries already seen, and
 * the history import's progress.
 */
export const chatwootTables = sqlMigration('001_chatwoot', [
  `CREATE TABLE "chatwootBridges" (
    "sessionId" uuid PRIMARY KEY REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "status" text NOT NULL DEFAULT 'running',
    "code" text,
    "reason" text,
    "inboxId" integer,
    "callbackToken" text,
    "inboxSecret" text,
    "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp()
  )`,
  `CREATE TABLE "chatwootContacts" (
    "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "jid" text NOT NULL,
    "contactId" integer NOT NULL,
    "sourceId" text NOT NULL,
    "inboxId" integer NOT NULL,
    "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY ("sessionId", "jid")
  )`,
  `CREATE TABLE "chatwootConversations" (
    "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "chatJid" text NOT NULL,
    "inboxId" integer NOT NULL,
    "contactId" integer NOT NULL,
    "sourceId" text NOT NULL,
    "conversationId" integer NOT NULL,
    "status" text NOT NULL DEFAULT 'open',
    "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY ("sessionId", "chatJid")
  )`,
  `CREATE INDEX "chatwootConversations_conversation_idx" ON "chatwootConversations" ("sessionId", "conversationId")`,
  `CREATE TABLE "chatwootMessages" (
    "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "chatJid" text NOT NULL,
    "waid" text NOT NULL,
    "chatwootMessageId" integer NOT NULL,
    "conversationId" integer NOT NULL,
    "direction" text NOT NULL,
    "messageId" uuid,
    "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY ("sessionId", "chatJid", "waid")
  )`,
  `CREATE INDEX "chatwootMessages_chatwoot_idx" ON "chatwootMessages" ("sessionId", "chatwootMessageId")`,
  `CREATE TABLE "chatwootDeliveries" (
    "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "deliveryId" text NOT NULL,
    "receivedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY ("sessionId", "deliveryId")
  )`,
  `CREATE INDEX "chatwootDeliveries_received_idx" ON "chatwootDeliveries" ("receivedAt")`,
  `CREATE TABLE "chatwootImports" (
    "sessionId" uuid PRIMARY KEY REFERENCES "sessions" ("id") ON DELETE CASCADE,
    "status" text NOT NULL,
    "phase" text NOT NULL,
    "progress" jsonb NOT NULL DEFAULT '{}',
    "error" text,
    "startedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
    "finishedAt" timestamptz
  )`,
]);
