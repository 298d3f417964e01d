import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../ports/sql.js';
import * as sqlValues from '../sql-values.js';

/** A job row as claimed by a runner. */
export interface ClaimedJob {
  id: string;
  pluginId: string;
  name: string;
  payload: unknown;
  lane: string | null;
  key: string | null;
  group: string | null;
  /** Runs so far, this one included. */
  attempts: number;
  maxAttempts: number;
  claimToken: string;
  createdAt: string;
  lastError: string | null;
}

/** A job to insert. */
export interface NewJob {
  pluginId: string;
  name: string;
  payload: unknown;
  lane: string | null;
  key: string | null;
  group: string | null;
  maxAttempts: number;
  /** Milliseconds from the database's `now()`, or an absolute time. */
  runAt: Date | null;
  delayMs: number;
}

const ms = `?::double precision * interval '1 millisecond'`;

/** A queued job is due when its time came; a running one when its lease expired (its process died). */
const due = (a: string) =>
  `((${a}."status" = 'queued' AND ${a}."runAt" <= now()) OR (${a}."status" = 'running' AND ${a}."leaseUntil" <= now()))`;

function claimedFromRow(row: Record<string, unknown>): ClaimedJob {
  return {
    id: String(row.id),
    pluginId: String(row.pluginId),
    name: String(row.name),
    payload: sqlValues.fromJson(row.payload),
    lane: sqlValues.stringOrNull(row.lane),
    key: sqlValues.stringOrNull(row.key),
    group: sqlValues.stringOrNull(row.group),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.maxAttempts),
    claimToken: String(row.claimToken),
    createdAt: sqlValues.iso(row.createdAt),
    lastError: sqlValues.stringOrNull(row.lastError),
  };
}

async function completeJobs(sql: SqlClient, jobs: readonly { id: string; token: string }[]): Promise<number> {
  if (jobs.length === 0) return 0;
  const rows = await sql.query(
    `DELETE FROM "jobs" j USING jsonb_to_recordset(?::jsonb) AS r("id" uuid, "token" uuid)
     WHERE j."id" = r."id" AND j."claimToken" = r."token" RETURNING j."id"`,
    [sqlValues.json(jobs)],
  );
  return rows.length;
}

/** The SQL of durable jobs (table `jobs`, migration `012_jobs` of the store). */
export const jobsRepo = {
  /** Inserts a job unless a queued/running one has the same plugin, name and key. */
  async insert(sql: SqlClient, job: NewJob): Promise<{ id: string; duplicate: boolean }> {
    const id = randomUUID();
    const runAt = job.runAt ? '?::timestamptz' : `now() + ${ms}`;
    const rows = await sql.query<{ id: string }>(
      `INSERT INTO "jobs" ("id", "pluginId", "name", "payload", "lane", "key", "group", "maxAttempts", "runAt")
       VALUES (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ${runAt})
       ON CONFLICT ("pluginId", "name", "key") WHERE "key" IS NOT NULL AND "status" IN ('queued', 'running')
       DO NOTHING RETURNING "id"`,
      [
        id,
        job.pluginId,
        job.name,
        sqlValues.json(job.payload ?? null),
        job.lane,
        job.key,
        job.group,
        job.maxAttempts,
        job.runAt ? job.runAt.toISOString() : job.delayMs,
      ],
    );
    if (rows.length > 0) return { id, duplicate: false };
    const existing = await sql.query<{ id: string }>(
      `SELECT "id" FROM "jobs" WHERE "pluginId" = ? AND "name" = ? AND "key" = ? AND "status" IN ('queued', 'running')`,
      [job.pluginId, job.name, job.key],
    );
    // the duplicate finished between the two statements: enqueue again
    return existing[0] ? { id: String(existing[0].id), duplicate: true } : jobsRepo.insert(sql, job);
  },

  /** Inserts jobs in one statement; those whose key is queued or running are skipped. The new ids. */
  async insertMany(sql: SqlClient, jobs: readonly NewJob[]): Promise<string[]> {
    if (jobs.length === 0) return [];
    const rows = await sql.query<{ id: string }>(
      `INSERT INTO "jobs" ("id", "pluginId", "name", "payload", "lane", "key", "group", "maxAttempts", "runAt")
       SELECT r."id", r."pluginId", r."name", r."payload", r."lane", r."key", r."group", r."maxAttempts",
         COALESCE(r."runAt", now() + r."delayMs" * interval '1 millisecond')
       FROM jsonb_to_recordset(?::jsonb) AS r("id" uuid, "pluginId" text, "name" text, "payload" jsonb,
         "lane" text, "key" text, "group" text, "maxAttempts" integer, "runAt" timestamptz, "delayMs" double precision,
         "ord" integer)
       ORDER BY r."ord"
       ON CONFLICT ("pluginId", "name", "key") WHERE "key" IS NOT NULL AND "status" IN ('queued', 'running')
       DO NOTHING RETURNING "id"`,
      [
        sqlValues.json(
          jobs.map((job, ord) => ({
            ...job,
            ord,
            id: randomUUID(),
            payload: job.payload ?? null,
            runAt: job.runAt ? job.runAt.toISOString() : null,
          })),
        ),
      ],
    );
    return rows.map((r) => String(r.id));
  },

  /**
   * Claims due jobs with `FOR UPDATE SKIP LOCKED` (processes never claim the same row): at
   * most `caps["pluginId/name"]` of each name, none of a name without a cap, and of a job with
   * a group at most `groupCaps["pluginId/name\ngroup"]` (default `groupDefaults["pluginId/name"]`)
   * of its group, each group's first before any group's second. A job in a lane is eligible
   * only when no job of its lane comes before it and none of its lane is running under a live
   * lease, so a lane runs one job at a time, in `seq` order, across processes.
   */
  async claim(
    sql: SqlClient,
    options: {
      caps: Record<string, number>;
      groupCaps?: Record<string, number>;
      groupDefaults?: Record<string, number>;
      leaseMs: number;
      /** Succeeded jobs to remove in the same statement. */
      done?: readonly { id: string; token: string }[];
    },
  ): Promise<ClaimedJob[]> {
    const limit = Object.values(options.caps).reduce((a, b) => a + b, 0);
    if (limit <= 0) {
      await completeJobs(sql, options.done ?? []);
      return [];
    }
    // The DELETE of `done` runs with the claim; the rest of the statement still sees those rows
    // (running under a live lease), so their lanes open at the next claim.
    const rows = await sql.query(
      `WITH done AS (
         DELETE FROM "jobs" d USING jsonb_to_recordset(?::jsonb) AS r("id" uuid, "token" uuid)
         WHERE d."id" = r."id" AND d."claimToken" = r."token" RETURNING d."id"
       ), due AS (
         SELECT x."id", x."runAt", x."seq", x."group", x."pluginId" || '/' || x."name" AS "ref",
           row_number() OVER (PARTITION BY x."pluginId", x."name", x."group" ORDER BY x."runAt", x."seq") AS "grank"
         FROM "jobs" x
         WHERE ${due('x')}
           -- only names with a free slot, and not a group that has none (a dead endpoint's
           -- backlog would otherwise be ranked and lane-checked by every claim)
           AND (?::jsonb ->> (x."pluginId" || '/' || x."name")) IS NOT NULL
           AND (x."group" IS NULL OR COALESCE(
             (?::jsonb ->> (x."pluginId" || '/' || x."name" || chr(10) || x."group"))::integer, 1) > 0)
           AND (x."lane" IS NULL OR NOT EXISTS (
             SELECT 1 FROM "jobs" o
             WHERE o."pluginId" = x."pluginId" AND o."lane" = x."lane" AND o."id" <> x."id"
               AND o."status" IN ('queued', 'running')
               AND (o."seq" < x."seq" OR (o."status" = 'running' AND o."leaseUntil" > now()))))
       ), candidates AS (
         SELECT d."id", d."runAt", d."seq", d."grank",
           row_number() OVER (PARTITION BY d."ref" ORDER BY d."grank", d."runAt", d."seq") AS "rank",
           COALESCE((?::jsonb ->> d."ref")::integer, 0) AS "cap"
         FROM due d
         WHERE d."group" IS NULL OR d."grank" <= COALESCE(
           (?::jsonb ->> (d."ref" || chr(10) || d."group"))::integer, (?::jsonb ->> d."ref")::integer, ${limit})
       ), picked AS (
         SELECT j."id" FROM "jobs" j
         WHERE j."id" IN (
           SELECT c."id" FROM candidates c WHERE c."rank" <= c."cap" ORDER BY c."grank", c."runAt", c."seq" LIMIT ?)
           AND ${due('j')}
         FOR UPDATE SKIP LOCKED
       )
       UPDATE "jobs" j SET "status" = 'running', "attempts" = j."attempts" + 1,
         "leaseUntil" = now() + ${ms}, "claimToken" = ?
       FROM picked WHERE j."id" = picked."id"
       RETURNING j.*`,
      [
        sqlValues.json(options.done ?? []),
        sqlValues.json(options.caps),
        sqlValues.json(options.groupCaps ?? {}),
        sqlValues.json(options.caps),
        sqlValues.json(options.groupCaps ?? {}),
        sqlValues.json(options.groupDefaults ?? {}),
        limit,
        options.leaseMs,
        randomUUID(),
      ],
    );
    return rows
      .map((row) => ({ seq: Number(row.seq), job: claimedFromRow(row) }))
      .sort((a, b) => a.seq - b.seq)
      .map((r) => r.job);
  },

  /** Extends the leases of running jobs; returns the ids whose lease this process still holds. */
  async renew(
    sql: SqlClient,
    jobs: readonly { id: string; token: string }[],
    leaseMs: number,
  ): Promise<Set<string>> {
    if (jobs.length === 0) return new Set();
    const rows = await sql.query<{ id: string }>(
      `UPDATE "jobs" j SET "leaseUntil" = now() + ${ms}
       FROM jsonb_to_recordset(?::jsonb) AS r("id" uuid, "token" uuid)
       WHERE j."id" = r."id" AND j."claimToken" = r."token" AND j."status" = 'running'
       RETURNING j."id"`,
      [leaseMs, sqlValues.json(jobs)],
    );
    return new Set(rows.map((r) => String(r.id)));
  },

  /** Removes jobs that succeeded (those whose lease was lost stay); one statement for all. */
  complete: (sql: SqlClient, jobs: readonly { id: string; token: string }[]): Promise<number> =>
    completeJobs(sql, jobs),

  /** Queues failed jobs again, each after its `delayMs`, in one statement (those whose lease was lost stay). */
  async retry(
    sql: SqlClient,
    jobs: readonly { id: string; token: string; delayMs: number; error: string }[],
  ): Promise<number> {
    if (jobs.length === 0) return 0;
    const rows = await sql.query(
      `UPDATE "jobs" j SET "status" = 'queued', "runAt" = now() + r."delayMs" * interval '1 millisecond',
         "leaseUntil" = NULL, "claimToken" = NULL, "lastError" = r."error"
       FROM jsonb_to_recordset(?::jsonb) AS r("id" uuid, "token" uuid, "delayMs" double precision, "error" text)
       WHERE j."id" = r."id" AND j."claimToken" = r."token" AND j."status" = 'running' RETURNING j."id"`,
      [sqlValues.json(jobs)],
    );
    return rows.length;
  },

  /** Gives jobs back untried (shutdown): due at once, the run not counted; one statement. */
  async release(sql: SqlClient, jobs: readonly { id: string; token: string }[]): Promise<void> {
    if (jobs.length === 0) return;
    await sql.query(
      `UPDATE "jobs" j SET "status" = 'queued', "attempts" = GREATEST(j."attempts" - 1, 0), "runAt" = now(),
         "leaseUntil" = NULL, "claimToken" = NULL
       FROM jsonb_to_recordset(?::jsonb) AS r("id" uuid, "token" uuid)
       WHERE j."id" = r."id" AND j."claimToken" = r."token" AND j."status" = 'running'`,
      [sqlValues.json(jobs)],
    );
  },

  /** Takes a job out of the queue for good (to become a dead letter); `null` when the lease was lost. */
  async remove(sql: SqlClient, id: string, token: string): Promise<ClaimedJob | null> {
    const rows = await sql.query(`DELETE FROM "jobs" WHERE "id" = ? AND "claimToken" = ? RETURNING *`, [
      id,
      token,
    ]);
    return rows[0] ? claimedFromRow(rows[0]) : null;
  },

  /** Deletes queued jobs of a plugin matching every given field. */
  async cancel(
    sql: SqlClient,
    pluginId: string,
    filter: { name?: string; lane?: string; key?: string },
  ): Promise<number> {
    const where = [`"pluginId" = ?`, `"status" = 'queued'`];
    const params: unknown[] = [pluginId];
    for (const field of ['name', 'lane', 'key'] as const) {
      if (filter[field] === undefined) continue;
      where.push(`"${field}" = ?`);
      params.push(filter[field]);
    }
    const rows = await sql.query(`DELETE FROM "jobs" WHERE ${where.join(' AND ')} RETURNING "id"`, params);
    return rows.length;
  },

  /**
   * Moves a cron job's schedule to `tick` unless some process already did: true for exactly
   * one caller per tick. The first call for a job only records the tick (no run for the past).
   */
  async advanceSchedule(sql: SqlClient, pluginId: string, name: string, tick: Date): Promise<boolean> {
    const inserted = await sql.query(
      `INSERT INTO "jobSchedules" ("pluginId", "name", "lastTick") VALUES (?, ?, ?::timestamptz)
       ON CONFLICT ("pluginId", "name") DO NOTHING RETURNING "name"`,
      [pluginId, name, tick.toISOString()],
    );
    if (inserted.length > 0) return false;
    const advanced = await sql.query(
      `UPDATE "jobSchedules" SET "lastTick" = ?::timestamptz
       WHERE "pluginId" = ? AND "name" = ? AND "lastTick" < ?::timestamptz RETURNING "name"`,
      [tick.toISOString(), pluginId, name, tick.toISOString()],
    );
    return advanced.length > 0;
  },

  /**
   * Jobs not finished, by plugin, name and state (for metrics): `due` (waiting for a runner),
   * `scheduled` (waiting for their time), `running`.
   */
  async depth(sql: SqlClient): Promise<{ pluginId: string; name: string; state: string; count: number }[]> {
    const rows = await sql.query(
      `SELECT "pluginId", "name",
         CASE WHEN "status" = 'running' THEN 'running' WHEN "runAt" <= now() THEN 'due' ELSE 'scheduled' END AS "state",
         count(*)::integer AS "count"
       FROM "jobs" WHERE "status" IN ('queued', 'running') GROUP BY 1, 2, 3`,
    );
    return rows.map((r) => ({
      pluginId: String(r.pluginId),
      name: String(r.name),
      state: String(r.state),
      count: Number(r.count),
    }));
  },
};
