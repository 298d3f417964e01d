import { sqlMigration } from '@zapgate/core';

/**
 * Event positions assigned after commit by a sequencer, instead of drawn under one global
 * advisory lock inside every writer's transaction (which serialised all sessions and
 * deadlocked with row locks). Writers only INSERT (`seq` stays NULL, `appendOrder` keeps the
 * order of appends). `zapgate_sequence_events` numbers committed rows in `appendOrder` under
 * the one-row `eventSequencer` lock, a short transaction of its own: sequencer runs follow
 * each other, so positions become visible in increasing order and a reader never skips one.
 */
export const eventPositions = sqlMigration(
  '008_event_positions',
  [
    `ALTER TABLE "events" DROP CONSTRAINT "events_pkey"`,
    `ALTER TABLE "events" ALTER COLUMN "seq" DROP NOT NULL, ALTER COLUMN "seq" DROP DEFAULT`,
    `ALTER TABLE "events" ADD COLUMN "appendOrder" bigserial`,
    `CREATE UNIQUE INDEX "events_seq_key" ON "events" ("seq")`,
    `CREATE INDEX "events_unsequenced_idx" ON "events" ("appendOrder") WHERE "seq" IS NULL`,
    `CREATE TABLE "eventSequencer" (
      "id" boolean PRIMARY KEY DEFAULT true CHECK ("id"),
      "position" bigint NOT NULL
    )`,
    `INSERT INTO "eventSequencer" ("position") SELECT coalesce(max("seq"), 0) FROM "events"`,
    `CREATE FUNCTION "zapgate_sequence_events"(channel text, batch integer) RETURNS bigint
     LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
     DECLARE
       head bigint;
       last bigint;
     BEGIN
       IF NOT EXISTS (SELECT 1 FROM "events" WHERE "seq" IS NULL) THEN
         RETURN 0;
       END IF;
       -- one sequencer at a time; each statement below then sees the previous run committed
       SELECT "position" INTO head FROM "eventSequencer" FOR UPDATE;
       WITH pending AS (
         SELECT "appendOrder", head + row_number() OVER (ORDER BY "appendOrder") AS pos
         FROM (SELECT "appendOrder" FROM "events" WHERE "seq" IS NULL ORDER BY "appendOrder" LIMIT batch) p
       ), numbered AS (
         UPDATE "events" e SET "seq" = pending.pos FROM pending
         WHERE e."appendOrder" = pending."appendOrder" AND e."seq" IS NULL
         RETURNING e."seq"
       )
       SELECT max("seq") INTO last FROM numbered;
       IF last IS NULL THEN
         RETURN 0;
       END IF;
       UPDATE "eventSequencer" SET "position" = last;
       PERFORM pg_notify(channel, '');
       RETURN last - head;
     END $$`,
  ],
  [
    `DROP FUNCTION "zapgate_sequence_events"(text, integer)`,
    `UPDATE "events" e SET "seq" = p.pos FROM (
       SELECT "appendOrder", (SELECT coalesce(max("seq"), 0) FROM "events") + row_number() OVER (ORDER BY "appendOrder") AS pos
       FROM "events" WHERE "seq" IS NULL
     ) p WHERE e."appendOrder" = p."appendOrder"`,
    `DROP TABLE "eventSequencer"`,
    `DROP INDEX "events_unsequenced_idx"`,
    `DROP INDEX "events_seq_key"`,
    `ALTER TABLE "events" DROP COLUMN "appendOrder"`,
    `SELECT setval('"events_seq_seq"'::regclass, coalesce(max("seq"), 0) + 1, false) FROM "events"`,
    `ALTER TABLE "events" ALTER COLUMN "seq" SET DEFAULT nextval('"events_seq_seq"'::regclass)`,
    `ALTER TABLE "events" ALTER COLUMN "seq" SET NOT NULL, ADD PRIMARY KEY ("seq")`,
  ],
);
