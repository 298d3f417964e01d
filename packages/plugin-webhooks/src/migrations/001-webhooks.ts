import { sqlMigration } from '@zapgate/core';

/**
 * Subscriptions and their deliveries. A delivery is unique per (subscription, event), so an
 * event handled twice (at-least-once consumer) never produces a second delivery.
 */
export const webhooksTables = sqlMigration(
  '001_webhooks',
  [
    `CREATE TABLE "webhookSubscriptions" (
      "id" uuid PRIMARY KEY,
      "sessionId" uuid REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "url" text NOT NULL,
      "endpoint" text NOT NULL,
      "events" jsonb NOT NULL DEFAULT '[]',
      "enabled" boolean NOT NULL DEFAULT true,
      "disabledReason" text,
      "headers" jsonb NOT NULL DEFAULT '{}',
      "description" text,
      "ordered" boolean NOT NULL DEFAULT false,
      "secret" text NOT NULL,
      "previousSecret" text,
      "previousSecretExpiresAt" timestamptz,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE INDEX "webhookSubscriptions_sessionId_idx" ON "webhookSubscriptions" ("sessionId", "createdAt")`,
    `CREATE TABLE "webhookDeliveries" (
      "seq" bigserial PRIMARY KEY,
      "id" uuid NOT NULL UNIQUE,
      "subscriptionId" uuid NOT NULL REFERENCES "webhookSubscriptions" ("id") ON DELETE CASCADE,
      "eventId" text NOT NULL,
      "eventType" text NOT NULL,
      "sessionId" uuid,
      "chatKey" text,
      "payload" jsonb NOT NULL,
      "status" text NOT NULL DEFAULT 'pending',
      "attempts" integer NOT NULL DEFAULT 0,
      "nextAttemptAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "leaseUntil" timestamptz,
      "claimToken" uuid,
      "lastStatusCode" integer,
      "lastError" text,
      "lastAttemptAt" timestamptz,
      "lastDurationMs" integer,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "succeededAt" timestamptz,
      UNIQUE ("subscriptionId", "eventId")
    )`,
    `CREATE INDEX "webhookDeliveries_due_idx" ON "webhookDeliveries" ("nextAttemptAt") WHERE "status" = 'pending'`,
    `CREATE INDEX "webhookDeliveries_lease_idx" ON "webhookDeliveries" ("leaseUntil") WHERE "status" = 'delivering'`,
    `CREATE INDEX "webhookDeliveries_subscription_idx" ON "webhookDeliveries" ("subscriptionId", "seq")`,
  ],
  ['DROP TABLE "webhookDeliveries"', 'DROP TABLE "webhookSubscriptions"'],
);
