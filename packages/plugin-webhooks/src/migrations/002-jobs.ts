import { sqlMigration } from '@zapgate/core';

/**
 * Deliveries are sent by core's durable jobs (one `deliver` job per attempt schedule): the
 * plugin's own claim columns and indexes go. Deliveries still waiting are queued as jobs at
 * start (`queueWaiting`), found through the new index.
 */
export const webhooksOnJobs = sqlMigration(
  '002_webhooks_on_jobs',
  [
    `DROP INDEX "webhookDeliveries_due_idx"`,
    `DROP INDEX "webhookDeliveries_lease_idx"`,
    `ALTER TABLE "webhookDeliveries" DROP COLUMN "leaseUntil", DROP COLUMN "claimToken"`,
    `CREATE INDEX "webhookDeliveries_waiting_idx" ON "webhookDeliveries" ("seq")
      WHERE "status" IN ('pending', 'delivering')`,
  ],
  [
    `DROP INDEX "webhookDeliveries_waiting_idx"`,
    `ALTER TABLE "webhookDeliveries" ADD COLUMN "leaseUntil" timestamptz, ADD COLUMN "claimToken" uuid`,
    `CREATE INDEX "webhookDeliveries_due_idx" ON "webhookDeliveries" ("nextAttemptAt") WHERE "status" = 'pending'`,
    `CREATE INDEX "webhookDeliveries_lease_idx" ON "webhookDeliveries" ("leaseUntil") WHERE "status" = 'delivering'`,
  ],
);
