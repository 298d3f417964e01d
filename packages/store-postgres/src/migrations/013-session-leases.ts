import { sqlMigration } from '@zapgate/core';

/**
 * Several gateway processes on one database (see `repos/leases.ts`).
 *
 * `nodes`: one row per node id, its heartbeat timed by the database clock; `stoppedAt` is
 * set by a graceful stop.
 *
 * `sessionLeases`: who runs a session's socket. `epoch` is the fencing token: it grows by one
 * on every claim and is never reset (a freed lease keeps its row, `nodeId` null), so a write
 * carrying an old epoch can always be told apart. The row goes with its session.
 */
export const sessionLeases = sqlMigration(
  '013_session_leases',
  [
    `CREATE TABLE "nodes" (
      "id" text PRIMARY KEY,
      "url" text,
      "startedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "heartbeatAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      "stoppedAt" timestamptz
    )`,
    `CREATE TABLE "sessionLeases" (
      "sessionId" uuid PRIMARY KEY REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "nodeId" text,
      "epoch" bigint NOT NULL DEFAULT 0,
      "leaseUntil" timestamptz,
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp()
    )`,
    `CREATE INDEX "sessionLeases_node_idx" ON "sessionLeases" ("nodeId") WHERE "nodeId" IS NOT NULL`,
  ],
  ['DROP TABLE "sessionLeases"', 'DROP TABLE "nodes"'],
);
