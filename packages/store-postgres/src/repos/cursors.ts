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
    async claim(consumer, owner, leaseMs, initialPosition = 0) {
      const rows = await rawRows<{ position: string | number }>(
        db,
        `INSERT INTO "consumerCursors" ("consumer", "position", "leaseOwner", "leaseUntil")
         VALUES (?, ?, ?, clock_timestamp() + make_interval(secs => ?))
         ON CONFLICT ("consumer") DO UPDATE
           SET "leaseOwner" = EXCLUDED."leaseOwner", "leaseUntil" = EXCLUDED."leaseUntil", "updatedAt" = now()
           WHERE "consumerCursors"."leaseOwner" IS NULL
              OR "consumerCursors"."leaseOwner" = EXCLUDED."leaseOwner"
              OR "consumerCursors"."leaseUntil" < clock_timestamp()
         RETURNING "position"`,
        [consumer, initialPosition, owner, leaseMs / 1000],
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
    async parked(consumer) {
      const rows = await rawRows<{ stream: string; position: string | number }>(
        db,
        'SELECT "stream", "position" FROM "consumerStreams" WHERE "consumer" = ? ORDER BY "stream"',
        [consumer],
      );
      return rows.map((r) => ({ stream: r.stream, position: Number(r.position) }));
    },
    async park(consumer, owner, stream, position) {
      const rows = await rawRows<{ stream: string }>(
        db,
        `INSERT INTO "consumerStreams" ("consumer", "stream", "position")
         SELECT "consumer", ?, ? FROM "consumerCursors"
         WHERE "consumer" = ? AND "leaseOwner" = ? AND "leaseUntil" >= clock_timestamp()
         ON CONFLICT ("consumer", "stream") DO UPDATE
           SET "position" = EXCLUDED."position", "updatedAt" = now()
         RETURNING "stream"`,
        [stream, position, consumer, owner],
      );
      return rows.length > 0;
    },
    async unpark(consumer, owner, stream) {
      const held = await rawRows<{ consumer: string }>(
        db,
        `WITH held AS (
           SELECT "consumer" FROM "consumerCursors"
           WHERE "consumer" = ? AND "leaseOwner" = ? AND "leaseUntil" >= clock_timestamp()
         ), gone AS (
           DELETE FROM "consumerStreams" WHERE "consumer" IN (SELECT "consumer" FROM held) AND "stream" = ?
         )
         SELECT "consumer" FROM held`,
        [consumer, owner, stream],
      );
      return held.length > 0;
    },
  };
}
