import { sqlMigration } from '@zapgate/core';

/** Finds sends a stop interrupted (still `pending`) in one index scan at start. */
export const pendingSends = sqlMigration(
  '009_pending_sends',
  [`CREATE INDEX "messages_pending_idx" ON "messages" ("sessionId") WHERE "status" = 'pending'`],
  [`DROP INDEX "messages_pending_idx"`],
);
