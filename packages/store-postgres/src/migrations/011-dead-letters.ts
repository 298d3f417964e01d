import { sqlMigration } from '@zapgate/core';

/**
 * Per-session event consumption and dead letters.
 *
 * `consumerStreams`: a consumer's *parked* streams. A session whose event keeps failing for a
 * consumer is recorded here (its events after `position` are not all handled) so that the
 * consumer's cursor can move past it and the other sessions go on; the row goes when the
 * stream has caught up. Retention never prunes an event a parked stream has not handled.
 *
 * `deadLetters`: work given up after its last attempt — plugin jobs (`kind` 'job') and events
 * a plugin's handler kept failing on (`kind` 'event', `payload` the whole envelope) — kept,
 * listed and retried over REST.
 */
export const deadLetters = sqlMigration(
  '011_dead_letters',
  [
    `CREATE TABLE "consumerStreams" (
      "consumer" text NOT NULL REFERENCES "consumerCursors" ("consumer") ON DELETE CASCADE,
      "stream" text NOT NULL,
      "position" bigint NOT NULL,
      "updatedAt" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "stream")
    )`,
    `CREATE TABLE "deadLetters" (
      "id" uuid PRIMARY KEY,
      "kind" text NOT NULL CHECK ("kind" IN ('job', 'event')),
      "pluginId" text NOT NULL,
      "name" text NOT NULL,
      "sessionId" uuid,
      "payload" jsonb,
      "error" text NOT NULL,
      "attempts" integer NOT NULL,
      "createdAt" timestamptz NOT NULL
    )`,
    `CREATE INDEX "deadLetters_created_idx" ON "deadLetters" ("createdAt" DESC, "id" DESC)`,
    `CREATE INDEX "deadLetters_plugin_idx" ON "deadLetters" ("pluginId", "kind")`,
  ],
  ['DROP TABLE "deadLetters"', 'DROP TABLE "consumerStreams"'],
);
