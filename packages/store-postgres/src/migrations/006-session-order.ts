import { sqlMigration } from '@zapgate/core';

/**
 * A creation sequence for sessions: `createdAt` can tie (PGlite's clock is coarse), and
 * lists must keep creation order.
 */
export const sessionOrder = sqlMigration(
  '006_session_order',
  [
    `ALTER TABLE "sessions" ADD COLUMN "seq" bigserial`,
    `CREATE INDEX "sessions_seq_idx" ON "sessions" ("seq")`,
  ],
  [`DROP INDEX "sessions_seq_idx"`, `ALTER TABLE "sessions" DROP COLUMN "seq"`],
);
