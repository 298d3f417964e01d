import { sqlMigration } from '@zapgate/core';

/** Messages: one row per (session, chat, WhatsApp id); the same waid twice is a no-op. */
export const messages = sqlMigration(
  '003_messages',
  [
    `CREATE TABLE "messages" (
      "id" uuid PRIMARY KEY,
      "sessionId" uuid NOT NULL,
      "chatId" text NOT NULL,
      "waid" text NOT NULL,
      "msgType" text NOT NULL,
      "content" jsonb NOT NULL,
      "mediaInfo" jsonb,
      "senderJid" text,
      "senderName" text,
      "isFromMe" boolean NOT NULL,
      "quotedMsgId" text,
      "status" text NOT NULL,
      "timestamp" timestamptz NOT NULL,
      "metadata" jsonb NOT NULL DEFAULT '{}',
      "idempotencyKey" text,
      "createdAt" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "messages_waid_key" UNIQUE ("sessionId", "chatId", "waid")
    )`,
    `CREATE INDEX "messages_chat_time_idx" ON "messages" ("sessionId", "chatId", "timestamp" DESC, "id" DESC)`,
    `CREATE INDEX "messages_session_time_idx" ON "messages" ("sessionId", "timestamp" DESC, "id" DESC)`,
    `CREATE UNIQUE INDEX "messages_idempotency_key" ON "messages" ("sessionId", "idempotencyKey") WHERE "idempotencyKey" IS NOT NULL`,
  ],
  ['DROP TABLE "messages"'],
);
