import { sqlMigration } from '@zapgate/core';

/**
 * Number checks: when a campaign checks numbers on WhatsApp first, a recipient is sent only
 * once its number was checked (`checkedAt`); the sender checks the next pending batch ahead.
 */
export const campaignsNumberChecks = sqlMigration(
  '003_campaigns_number_checks',
  [
    'ALTER TABLE "campaignRecipients" ADD COLUMN "checkedAt" timestamptz',
    `CREATE INDEX "campaignRecipients_unchecked_idx" ON "campaignRecipients" ("campaignId", "seq")
       WHERE "status" = 'pending' AND "checkedAt" IS NULL`,
  ],
  [
    'DROP INDEX "campaignRecipients_unchecked_idx"',
    'ALTER TABLE "campaignRecipients" DROP COLUMN "checkedAt"',
  ],
);
