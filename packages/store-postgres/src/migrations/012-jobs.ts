import { sqlMigration } from '@zapgate/core';

/**
 * Durable jobs of plugins (`ctx.jobs`, see core's `jobs/`). A row lives while its job is
 * queued or running and is deleted when it succeeds. `seq` is the enqueue order lanes follow;
 * the unique index de-duplicates by key among queued and running jobs only. `jobSchedules`
 * records the last cron tick enqueued per job, so each tick is enqueued once across processes.
 */
export const jobs = sqlMigration(
  '012_jobs',
  [
    `CREATE TABLE "jobs" (
      "id" uuid PRIMARY KEY,
      "seq" bigserial NOT NULL,
      "pluginId" text NOT NULL,
      "name" text NOT NULL,
      "payload" jsonb NOT NULL,
      "lane" text,
      "key" text,
      "status" text NOT NULL DEFAULT 'queued',
      "attempts" integer NOT NULL DEFAULT 0,
      "maxAttempts" integer NOT NULL,
      "runAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "leaseUntil" timestamptz,
      "claimToken" uuid,
      "lastError" text,
      "createdAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE UNIQUE INDEX "jobs_key_idx" ON "jobs" ("pluginId", "name", "key")
      WHERE "key" IS NOT NULL AND "status" IN ('queued', 'running')`,
    `CREATE INDEX "jobs_due_idx" ON "jobs" ("runAt") WHERE "status" = 'queued'`,
    `CREATE INDEX "jobs_lease_idx" ON "jobs" ("leaseUntil") WHERE "status" = 'running'`,
    `CREATE INDEX "jobs_lane_idx" ON "jobs" ("pluginId", "lane", "seq") WHERE "lane" IS NOT NULL`,
    `CREATE TABLE "jobSchedules" (
      "pluginId" text NOT NULL,
      "name" text NOT NULL,
      "lastTick" timestamptz NOT NULL,
      PRIMARY KEY ("pluginId", "name")
    )`,
  ],
  ['DROP TABLE "jobSchedules"', 'DROP TABLE "jobs"'],
);
