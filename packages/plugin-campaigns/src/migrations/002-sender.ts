import { sqlMigration } from '@zapgate/core';

/**
 * The sender: each sending session's part carries the id of its current chain of send jobs
 * (a job of an older chain, left from before a pause, stops when it wakes up), and follow-ups
 * due are found by session.
 */
export const campaignsSender = sqlMigration(
  '002_campaigns_sender',
  [
    'ALTER TABLE "campaignSessions" ADD COLUMN "chainId" uuid',
    `CREATE INDEX "campaignRecipients_followup_due_idx" ON "campaignRecipients" ("campaignId", "sessionId", "followUpDueAt")
       WHERE "step" = 0 AND "followUpDueAt" IS NOT NULL`,
  ],
  [
    'DROP INDEX "campaignRecipients_followup_due_idx"',
    'ALTER TABLE "campaignSessions" DROP COLUMN "chainId"',
  ],
);
