import { sqlMigration } from '@zapgate/core';

/** Sessions: one row per WhatsApp companion. `apiKeyHash` never leaves the store. */
export const sessions = sqlMigration(
  '001_sessions',
  [
    `CREATE TABLE "sessions" (
      "id" uuid PRIMARY KEY,
      "name" text NOT NULL UNIQUE,
      "status" text NOT NULL DEFAULT 'disconnected',
      "statusReason" text,
      "deviceJid" text,
      "phoneNumber" text,
      "pushName" text,
      "proxyUrl" text,
      "settings" jsonb NOT NULL DEFAULT '{}',
      "qr" jsonb,
      "apiKeyHash" text,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE UNIQUE INDEX "sessions_apiKeyHash_key" ON "sessions" ("apiKeyHash") WHERE "apiKeyHash" IS NOT NULL`,
    `CREATE INDEX "sessions_createdAt_idx" ON "sessions" ("createdAt")`,
  ],
  ['DROP TABLE "sessions"'],
);
