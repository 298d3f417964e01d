import { sqlMigration } from '@zapgate/core';

/**
 * Who sent a message (`api`, `plugin:<id>`, `phone`; null when received or unknown, as for
 * rows stored before this column) and the hash of the send request behind an idempotency key.
 */
export const messageOrigin = sqlMigration(
  '007_message_origin',
  [`ALTER TABLE "messages" ADD COLUMN "origin" text, ADD COLUMN "requestHash" text`],
  [`ALTER TABLE "messages" DROP COLUMN "origin", DROP COLUMN "requestHash"`],
);
