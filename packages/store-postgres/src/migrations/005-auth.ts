import { sqlMigration } from '@zapgate/core';

/**
 * Baileys creds and Signal keys as plain JSON (BufferJSON-encoded). No foreign key: the
 * session repository deletes them with the session, in the same transaction.
 */
export const auth = sqlMigration(
  '005_auth',
  [
    `CREATE TABLE "authCreds" (
      "sessionId" uuid PRIMARY KEY,
      "value" jsonb NOT NULL,
      "updatedAt" timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE "authKeys" (
      "sessionId" uuid NOT NULL,
      "type" text NOT NULL,
      "id" text NOT NULL,
      "value" jsonb NOT NULL,
      PRIMARY KEY ("sessionId", "type", "id")
    )`,
  ],
  ['DROP TABLE "authKeys"', 'DROP TABLE "authCreds"'],
);
