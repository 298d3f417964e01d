import { GatewayError, type HeldLease, type NodeInfo, type SessionLeaseRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { rawRows } from '../sql-client.js';
import { iso, isoOrNull, isUuid } from './convert.js';

interface LeaseRow {
  sessionId: string;
  epoch: string | number;
}

const held = (rows: LeaseRow[]): HeldLease[] =>
  rows.map((row) => ({ sessionId: row.sessionId, epoch: Number(row.epoch) }));

/** `make_interval` seconds of a duration in milliseconds. */
const secs = (ms: number) => ms / 1000;

/**
 * Session leases on `db`, timed by the database clock so every node agrees on expiry. A claim
 * takes a free, expired or own lease and bumps its epoch in one `INSERT … ON CONFLICT DO
 * UPDATE … WHERE`, so two nodes racing for a session cannot both win. Fenced writes lock the
 * lease row `FOR KEY SHARE`: a takeover or release changes the row's key (owner and epoch are
 * key columns, migration 015), so it waits until they commit and every write after it sees the
 * new epoch; a renewal changes only the expiry and waits for none of them. `exclusive`: the database is this process's alone (a locked embedded
 * directory); it collects the node ids that joined through this store, and leases of any other
 * node id are left over from earlier runs and freed on join.
 */
export function sessionLeaseRepo(
  db: Knex,
  options: {
    exclusive?: Set<string> | undefined;
    /**
     * Where joins and heartbeats run: a connection of their own, so a pool exhausted by other
     * work cannot hold up lease renewal (and let the leases expire under a live node).
     * @default db
     */
    renewal?: Knex;
  } = {},
): SessionLeaseRepo {
  const renewal = options.renewal ?? db;
  const repo: SessionLeaseRepo = {
    async join(node) {
      // an embedded directory is locked to this process: a node id that did not join through
      // this store is a past run's
      if (options.exclusive) {
        options.exclusive.add(node.id);
        await renewal.raw(
          `UPDATE "sessionLeases" SET "nodeId" = NULL, "leaseUntil" = NULL, "updatedAt" = clock_timestamp()
           WHERE "nodeId" <> ALL(?::text[])`,
          [[...options.exclusive]],
        );
      }
      await renewal.raw(
        `INSERT INTO "nodes" ("id", "url") VALUES (?, ?)
         ON CONFLICT ("id") DO UPDATE SET "url" = EXCLUDED."url", "startedAt" = clock_timestamp(),
           "heartbeatAt" = clock_timestamp(), "stoppedAt" = NULL`,
        [node.id, node.url],
      );
    },
    async heartbeat(node, leaseMs) {
      await renewal.raw(
        `INSERT INTO "nodes" ("id", "url") VALUES (?, ?)
         ON CONFLICT ("id") DO UPDATE SET "url" = EXCLUDED."url", "heartbeatAt" = clock_timestamp(), "stoppedAt" = NULL`,
        [node.id, node.url],
      );
      return held(
        await rawRows<LeaseRow>(
          renewal,
          `UPDATE "sessionLeases" SET "leaseUntil" = clock_timestamp() + make_interval(secs => ?)
           WHERE "nodeId" = ? RETURNING "sessionId", "epoch"`,
          [secs(leaseMs), node.id],
        ),
      );
    },
    async claim(nodeId, sessionIds, leaseMs) {
      const ids = sessionIds.filter(isUuid);
      if (ids.length === 0) return [];
      return held(
        await rawRows<LeaseRow>(
          db,
          `INSERT INTO "sessionLeases" ("sessionId", "nodeId", "epoch", "leaseUntil")
           SELECT "id", ?, 1, clock_timestamp() + make_interval(secs => ?) FROM "sessions" WHERE "id" = ANY(?::uuid[])
           ON CONFLICT ("sessionId") DO UPDATE
             SET "nodeId" = EXCLUDED."nodeId", "epoch" = "sessionLeases"."epoch" + 1,
                 "leaseUntil" = EXCLUDED."leaseUntil", "updatedAt" = clock_timestamp()
             WHERE "sessionLeases"."nodeId" IS NULL OR "sessionLeases"."nodeId" = EXCLUDED."nodeId"
                OR "sessionLeases"."leaseUntil" < clock_timestamp()
           RETURNING "sessionId", "epoch"`,
          [nodeId, secs(leaseMs), ids],
        ),
      );
    },
    async orphans(statuses, limit) {
      const rows = await rawRows<{ id: string }>(
        db,
        `SELECT s."id" FROM "sessions" s LEFT JOIN "sessionLeases" l ON l."sessionId" = s."id"
         WHERE s."status" = ANY(?::text[]) AND (l."nodeId" IS NULL OR l."leaseUntil" < clock_timestamp())
         ORDER BY s."seq" LIMIT ?`,
        [[...statuses], limit],
      );
      return rows.map((row) => row.id);
    },
    async census(nodeId, statuses, leaseMs) {
      const rows = await rawRows<{
        liveNodes: string | number;
        wanted: string | number;
        mine: string | number;
      }>(
        db,
        `SELECT
           (SELECT count(*) FROM "nodes" WHERE "stoppedAt" IS NULL
              AND "heartbeatAt" >= clock_timestamp() - make_interval(secs => ?)) AS "liveNodes",
           (SELECT count(*) FROM "sessions" WHERE "status" = ANY(?::text[])) AS "wanted",
           (SELECT count(*) FROM "sessionLeases" WHERE "nodeId" = ?) AS "mine"`,
        [secs(leaseMs), [...statuses], nodeId],
      );
      const row = rows[0];
      return {
        liveNodes: Number(row?.liveNodes ?? 0),
        wanted: Number(row?.wanted ?? 0),
        mine: Number(row?.mine ?? 0),
      };
    },
    async release(nodeId, sessionId, epoch) {
      if (!isUuid(sessionId)) return;
      await db.raw(
        `UPDATE "sessionLeases" SET "nodeId" = NULL, "leaseUntil" = NULL, "updatedAt" = clock_timestamp()
         WHERE "sessionId" = ? AND "nodeId" = ? AND "epoch" = ?`,
        [sessionId, nodeId, epoch],
      );
    },
    async leave(nodeId) {
      await db.raw(
        `UPDATE "sessionLeases" SET "nodeId" = NULL, "leaseUntil" = NULL, "updatedAt" = clock_timestamp()
         WHERE "nodeId" = ?`,
        [nodeId],
      );
      await db.raw(`UPDATE "nodes" SET "stoppedAt" = clock_timestamp() WHERE "id" = ?`, [nodeId]);
    },
    async check(expected) {
      if (expected.length === 0) return;
      const ids = expected.map((lease) => lease.sessionId).filter(isUuid);
      const rows = await rawRows<LeaseRow>(
        db,
        `SELECT "sessionId", "epoch" FROM "sessionLeases"
         WHERE "sessionId" = ANY(?::uuid[]) AND "nodeId" IS NOT NULL ORDER BY "sessionId" FOR KEY SHARE`,
        [ids],
      );
      const current = new Map(rows.map((row) => [row.sessionId, Number(row.epoch)]));
      for (const { sessionId, epoch } of expected) {
        const now = current.get(sessionId);
        if (now !== epoch) {
          throw new GatewayError(
            'SESSION_LEASE_LOST',
            `This node no longer owns session ${sessionId} (lease epoch ${epoch}, now ${now ?? 'free'}): write refused`,
          );
        }
      }
    },
    async owner(sessionId, leaseMs) {
      const [owner] = await repo.owners([sessionId], leaseMs);
      return owner ?? null;
    },
    async owners(sessionIds, leaseMs) {
      const ids = sessionIds.filter(isUuid);
      if (ids.length === 0) return [];
      const rows = await rawRows<{
        sessionId: string;
        nodeId: string;
        epoch: string | number;
        url: string | null;
        live: boolean;
      }>(
        db,
        `SELECT l."sessionId", l."nodeId", l."epoch", n."url",
           (l."leaseUntil" >= clock_timestamp() AND n."stoppedAt" IS NULL
             AND n."heartbeatAt" >= clock_timestamp() - make_interval(secs => ?)) AS "live"
         FROM "sessionLeases" l LEFT JOIN "nodes" n ON n."id" = l."nodeId"
         WHERE l."sessionId" = ANY(?::uuid[]) AND l."nodeId" IS NOT NULL`,
        [secs(leaseMs), ids],
      );
      return rows.map((row) => ({
        sessionId: row.sessionId,
        nodeId: row.nodeId,
        epoch: Number(row.epoch),
        url: row.url,
        live: row.live === true,
      }));
    },
    async nodes(leaseMs, forgetAfterMs) {
      const rows = await rawRows<{
        id: string;
        url: string | null;
        startedAt: Date | string;
        heartbeatAt: Date | string;
        stoppedAt: Date | string | null;
        live: boolean;
        sessions: string | number;
      }>(
        db,
        `SELECT n."id", n."url", n."startedAt", n."heartbeatAt", n."stoppedAt",
           (n."stoppedAt" IS NULL AND n."heartbeatAt" >= clock_timestamp() - make_interval(secs => ?)) AS "live",
           (SELECT count(*) FROM "sessionLeases" l WHERE l."nodeId" = n."id"
              AND l."leaseUntil" >= clock_timestamp()) AS "sessions"
         FROM "nodes" n WHERE n."heartbeatAt" >= clock_timestamp() - make_interval(secs => ?)
         ORDER BY n."id"`,
        [secs(leaseMs), secs(forgetAfterMs)],
      );
      return rows.map(
        (row): NodeInfo => ({
          id: row.id,
          url: row.url,
          startedAt: iso(row.startedAt),
          heartbeatAt: iso(row.heartbeatAt),
          stoppedAt: isoOrNull(row.stoppedAt),
          live: row.live === true,
          sessions: Number(row.sessions),
        }),
      );
    },
  };
  return repo;
}
