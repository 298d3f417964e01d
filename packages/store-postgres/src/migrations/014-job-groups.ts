import { sqlMigration } from '@zapgate/core';

/**
 * Concurrency groups of durable jobs (`group`: at most N running per group and process, a
 * group can be paused — e.g. one webhook endpoint), and a wake-up on enqueue: each INSERT
 * statement into `jobs` notifies `zapgate_jobs_<schema>` at commit, so every process's runner
 * claims new jobs at once instead of at its next poll.
 */
export const jobGroups = sqlMigration(
  '014_job_groups',
  [
    `ALTER TABLE "jobs" ADD COLUMN "group" text`,
    `CREATE FUNCTION "zapgate_jobs_enqueued"() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       PERFORM pg_notify('zapgate_jobs_' || TG_TABLE_SCHEMA, '');
       RETURN NULL;
     END $$`,
    `CREATE TRIGGER "jobs_enqueued" AFTER INSERT ON "jobs"
     FOR EACH STATEMENT EXECUTE FUNCTION "zapgate_jobs_enqueued"()`,
  ],
  [
    `DROP TRIGGER "jobs_enqueued" ON "jobs"`,
    `DROP FUNCTION "zapgate_jobs_enqueued"()`,
    `ALTER TABLE "jobs" DROP COLUMN "group"`,
  ],
);
