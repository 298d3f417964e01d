import { sqlMigration } from '@zapgate/core';

/** The durable event log (outbox) and the consumers' cursors with leases. */
export const events = sqlMigration(
  '004_events',
  [
    `CREATE TABLE "events" (
      "seq" bigserial PRIMARY KEY,
      "id" text NOT NULL UNIQUE,
      "type" text NOT NULL,
      "sessionId" uuid,
      "occurredAt" timestamptz NOT NULL,
      "data" jsonb NOT NULL
    )`,
    `CREATE INDEX "events_session_seq_idx" ON "events" ("sessionId", "seq")`,
    `CREATE TABLE "consumerCursors" (
      "consumer" text PRIMARY KEY,
      "position" bigint NOT NULL DEFAULT 0,
      "leaseOwner" text,
      "leaseUntil" timestamptz,
      "updatedAt" timestamptz NOT NULL DEFAULT now()
    )`,
  ],
  ['DROP TABLE "consumerCursors"', 'DROP TABLE "events"'],
);
