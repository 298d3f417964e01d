import { sqlMigration } from '@zapgate/core';

/**
 * Campaigns, the sessions sending each one, their recipients (one row per number, the unit of
 * "sent at most once"), the per-session suppression list and pacing state, and uploaded media.
 */
export const campaignsTables = sqlMigration(
  '001_campaigns',
  [
    `CREATE TABLE "campaigns" (
      "id" uuid PRIMARY KEY,
      "name" text NOT NULL,
      "status" text NOT NULL DEFAULT 'draft',
      "statusReason" text,
      "content" jsonb NOT NULL,
      "schedule" jsonb NOT NULL DEFAULT '{}',
      "pacing" jsonb NOT NULL DEFAULT '{}',
      "settings" jsonb NOT NULL DEFAULT '{}',
      "variables" jsonb NOT NULL DEFAULT '[]',
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "startedAt" timestamptz,
      "finishedAt" timestamptz,
      "progressAt" timestamptz
    )`,
    `CREATE INDEX "campaigns_created_idx" ON "campaigns" ("createdAt", "id")`,
    `CREATE TABLE "campaignSessions" (
      "campaignId" uuid NOT NULL REFERENCES "campaigns" ("id") ON DELETE CASCADE,
      "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "position" integer NOT NULL,
      "status" text NOT NULL DEFAULT 'active',
      "pausedReason" text,
      "pausedAt" timestamptz,
      PRIMARY KEY ("campaignId", "sessionId")
    )`,
    `CREATE INDEX "campaignSessions_session_idx" ON "campaignSessions" ("sessionId")`,
    `CREATE TABLE "campaignRecipients" (
      "campaignId" uuid NOT NULL REFERENCES "campaigns" ("id") ON DELETE CASCADE,
      "seq" integer NOT NULL,
      "phone" text NOT NULL,
      "variables" jsonb NOT NULL DEFAULT '{}',
      "variantId" text NOT NULL,
      "status" text NOT NULL DEFAULT 'pending',
      "reason" text,
      "sessionId" uuid,
      "step" integer NOT NULL DEFAULT 0,
      "messageId" uuid,
      "waid" text,
      "followUpMessageId" uuid,
      "followUpWaid" text,
      "followUpDueAt" timestamptz,
      "sendingAt" timestamptz,
      "sentAt" timestamptz,
      "deliveredAt" timestamptz,
      "readAt" timestamptz,
      "repliedAt" timestamptz,
      "failedAt" timestamptz,
      "skippedAt" timestamptz,
      "optedOutAt" timestamptz,
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY ("campaignId", "seq"),
      UNIQUE ("campaignId", "phone")
    )`,
    `CREATE INDEX "campaignRecipients_status_idx" ON "campaignRecipients" ("campaignId", "status", "seq")`,
    `CREATE INDEX "campaignRecipients_waid_idx" ON "campaignRecipients" ("sessionId", "waid")`,
    `CREATE INDEX "campaignRecipients_followup_waid_idx" ON "campaignRecipients" ("sessionId", "followUpWaid")`,
    `CREATE INDEX "campaignRecipients_phone_idx" ON "campaignRecipients" ("sessionId", "phone")`,
    `CREATE TABLE "campaignSuppressions" (
      "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "phone" text NOT NULL,
      "reason" text NOT NULL,
      "campaignId" uuid,
      "note" text,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY ("sessionId", "phone")
    )`,
    `CREATE INDEX "campaignSuppressions_created_idx" ON "campaignSuppressions" ("sessionId", "createdAt", "phone")`,
    `CREATE TABLE "campaignPacing" (
      "sessionId" uuid PRIMARY KEY REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "state" jsonb NOT NULL,
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE TABLE "campaignUploads" (
      "id" uuid PRIMARY KEY,
      "campaignId" uuid REFERENCES "campaigns" ("id") ON DELETE CASCADE,
      "mimeType" text NOT NULL,
      "fileName" text,
      "size" integer NOT NULL,
      "data" bytea NOT NULL,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
  ],
  [
    'DROP TABLE "campaignUploads"',
    'DROP TABLE "campaignPacing"',
    'DROP TABLE "campaignSuppressions"',
    'DROP TABLE "campaignRecipients"',
    'DROP TABLE "campaignSessions"',
    'DROP TABLE "campaigns"',
  ],
);
