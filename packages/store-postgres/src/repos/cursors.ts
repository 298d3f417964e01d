import type { ConsumerCursorRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { rawRows } from '../sql-client.js';

/**
 * Consumer cursors with leases, timed by the database clock so every process agrees. A claim
 * succeeds when the lease is free, expired or already ours; a commit only moves forward and
 * only while we hold an unexpired lease.
 */
export function consumerCursorRepo(db: Knex): ConsumerCursorRepo {
  return {
    async claim(consumer, owner, leaseMs) {
      const rows = await rawRows<{ position: string | number }>(
        db,
        `INSERT INTO "consumerCursors" ("consumer", "leaseOwner", "leaseUntil")
         VALUES (?, ?, clock_timestamp() + make_interval(secs => ?))
         ON CONFLICT ("consumer") DO UPDATE
           SET "leaseOwner" = EXCLUDED."leaseOwner", "leaseUntil" = EXCLUDED."leaseUntil", "updatedAt" = now()
           WHERE "consumerCursors"."leaseOwner" IS NULL
              OR "consumerCursors"."leaseOwner" = EXCLUDED."leaseOwner"
              OR "consumerCursors"."leaseUntil" < clock_timestamp()
         RETURNING "position"`,
        [consumer, owner, leaseMs / 1000],
      );
      return rows[0] ? Number(rows[0].position) : null;
    },
    async commit(consumer, owner, position, leaseMs) {
      const rows = await rawRows<{ consumer: string }>(
        db,
        `UPDATE "consumerCursors"
         SET "position" = greatest("position", ?), "leaseUntil" = clock_timestamp() + make_interval(secs => ?),
             "updatedAt" = now()
         WHERE "consumer" = ? AND "leaseOwner" = ? AND "leaseUntil" >= clock_timestamp()
         RETURNING "consumer"`,
        [position, leaseMs / 1000, consumer, owner],
      );
      return rows.length > 0;
    },
    async release(consumer, owner) {
      await db.raw(
        `UPDATE "consumerCursors" SET "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = now()
         WHERE "consumer" = ? AND "leaseOwner" = ?`,
        [consumer, owner],
      );
    },
  };
}
