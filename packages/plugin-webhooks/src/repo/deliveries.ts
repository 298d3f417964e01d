import type { PageOf, SqlClient } from '@zapgate/core';
import { jsonParam, toIso, toIsoOrNull, toJson, toNumberOrNull, toStringOrNull } from './rows.js';

/** Where a delivery stands. */
export type DeliveryStatus = 'pending' | 'delivering' | 'succeeded' | 'failed';

/** A delivery as stored. */
export interface DeliveryRecord {
  seq: string;
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  sessionId: string | null;
  chatKey: string | null;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  lastDurationMs: number | null;
  createdAt: string;
  succeededAt: string | null;
}

/** A claimed delivery with what sending it needs from its subscription. */
export interface ClaimedDelivery extends DeliveryRecord {
  claimToken: string;
  url: string;
  endpoint: string;
  headers: Record<string, string>;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
}

/** A delivery to create for an event. */
export interface NewDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  sessionId: string | null;
  chatKey: string | null;
  payload: unknown;
}

/** How an attempt ended: terminal, or due again after `retryInMs`. */
export type AttemptResult = {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
} & ({ status: 'succeeded' | 'failed' } | { status: 'pending'; retryInMs: number });

/** Filters of the deliveries list. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  since?: string;
  until?: string;
  cursor?: string;
  limit: number;
}

const table = '"webhookDeliveries"';
const due = (a: string) =>
  `((${a}."status" = 'pending' AND ${a}."nextAttemptAt" <= now()) OR (${a}."status" = 'delivering' AND ${a}."leaseUntil" <= now()))`;

export function deliveryFromRow(row: Record<string, unknown>): DeliveryRecord {
  return {
    seq: String(row.seq),
    id: String(row.id),
    subscriptionId: String(row.subscriptionId),
    eventId: String(row.eventId),
    eventType: String(row.eventType),
    sessionId: toStringOrNull(row.sessionId),
    chatKey: toStringOrNull(row.chatKey),
    payload: toJson(row.payload),
    status: String(row.status) as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: toIso(row.nextAttemptAt),
    lastStatusCode: toNumberOrNull(row.lastStatusCode),
    lastError: toStringOrNull(row.lastError),
    lastAttemptAt: toIsoOrNull(row.lastAttemptAt),
    lastDurationMs: toNumberOrNull(row.lastDurationMs),
    createdAt: toIso(row.createdAt),
    succeededAt: toIsoOrNull(row.succeededAt),
  };
}

/** Deliveries data access over the plugin's SQL client. */
export const deliveriesRepo = {
  /** Inserts deliveries; those already present for (subscription, event) are skipped. */
  async insertMany(sql: SqlClient, deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const rows = await sql.query(
      `INSERT INTO ${table} ("id", "subscriptionId", "eventId", "eventType", "sessionId", "chatKey", "payload")
       VALUES ${deliveries.map(() => '(?, ?, ?, ?, ?, ?, ?::jsonb)').join(', ')}
       ON CONFLICT ("subscriptionId", "eventId") DO NOTHING RETURNING "seq"`,
      deliveries.flatMap((d) => [
        d.id,
        d.subscriptionId,
        d.eventId,
        d.eventType,
        d.sessionId,
        d.chatKey,
        jsonParam(d.payload),
      ]),
    );
    return rows.length;
  },

  /**
   * Claims up to `limit` due deliveries (pending and due, or delivering with an expired lease)
   * with `FOR UPDATE SKIP LOCKED`, so processes never claim the same row. At most `caps[endpoint]`
   * (default `perEndpoint`) per endpoint, taking each endpoint's first before anyone's second;
   * for ordered subscriptions only the oldest unfinished delivery per chat is eligible.
   */
  async claim(
    sql: SqlClient,
    options: {
      limit: number;
      perEndpoint: number;
      caps: Record<string, number>;
      leaseMs: number;
      token: string;
    },
  ): Promise<ClaimedDelivery[]> {
    const rows = await sql.query(
      `WITH candidates AS (
         SELECT x."seq", x."nextAttemptAt",
           row_number() OVER (PARTITION BY y."endpoint" ORDER BY x."nextAttemptAt", x."seq") AS "rank",
           COALESCE((?::jsonb ->> y."endpoint")::integer, ?::integer) AS "cap"
         FROM ${table} x JOIN "webhookSubscriptions" y ON y."id" = x."subscriptionId"
         WHERE y."enabled" AND ${due('x')}
           AND (NOT y."ordered" OR NOT EXISTS (
             SELECT 1 FROM ${table} o
             WHERE o."subscriptionId" = x."subscriptionId" AND o."chatKey" IS NOT DISTINCT FROM x."chatKey"
               AND o."status" IN ('pending', 'delivering') AND o."seq" < x."seq"))
       ), picked AS (
         SELECT d."seq" FROM ${table} d
         WHERE d."seq" IN (
           SELECT c."seq" FROM candidates c WHERE c."rank" <= c."cap" ORDER BY c."rank", c."nextAttemptAt" LIMIT ?)
           AND ${due('d')}
         FOR UPDATE SKIP LOCKED
       )
       UPDATE ${table} d SET "status" = 'delivering', "attempts" = d."attempts" + 1,
         "lastAttemptAt" = clock_timestamp(), "leaseUntil" = now() + ?::double precision * interval '1 millisecond',
         "claimToken" = ?
       FROM picked, "webhookSubscriptions" s
       WHERE d."seq" = picked."seq" AND s."id" = d."subscriptionId"
       RETURNING d.*, s."url", s."endpoint", s."headers", s."secret", s."previousSecret", s."previousSecretExpiresAt"`,
      [jsonParam(options.caps), options.perEndpoint, options.limit, options.leaseMs, options.token],
    );
    return rows
      .map((row) => ({
        ...deliveryFromRow(row),
        claimToken: String(row.claimToken),
        url: String(row.url),
        endpoint: String(row.endpoint),
        headers: toJson<Record<string, string>>(row.headers),
        secret: String(row.secret),
        previousSecret: toStringOrNull(row.previousSecret),
        previousSecretExpiresAt: toIsoOrNull(row.previousSecretExpiresAt),
      }))
      .sort((a, b) => Number(a.seq) - Number(b.seq));
  },

  /** Records an attempt, unless the claim was lost (lease expired and reclaimed elsewhere). */
  async record(sql: SqlClient, id: string, token: string, result: AttemptResult): Promise<boolean> {
    const rows = await sql.query(
      `UPDATE ${table} SET "status" = ?, "lastStatusCode" = ?, "lastError" = ?, "lastDurationMs" = ?,
         "nextAttemptAt" = now() + ?::double precision * interval '1 millisecond',
         "succeededAt" = CASE WHEN ? = 'succeeded' THEN clock_timestamp() ELSE NULL END,
         "leaseUntil" = NULL, "claimToken" = NULL
       WHERE "id" = ? AND "claimToken" = ? AND "status" = 'delivering' RETURNING "id"`,
      [
        result.status,
        result.statusCode,
        result.error,
        Math.round(result.durationMs),
        result.status === 'pending' ? Math.round(result.retryInMs) : 0,
        result.status,
        id,
        token,
      ],
    );
    return rows.length > 0;
  },

  /** Gives a claimed delivery back untried (shutdown): due at once, the attempt not counted. */
  async release(sql: SqlClient, id: string, token: string): Promise<void> {
    await sql.query(
      `UPDATE ${table} SET "status" = 'pending', "attempts" = GREATEST("attempts" - 1, 0), "nextAttemptAt" = now(),
         "leaseUntil" = NULL, "claimToken" = NULL WHERE "id" = ? AND "claimToken" = ? AND "status" = 'delivering'`,
      [id, token],
    );
  },

  async get(sql: SqlClient, subscriptionId: string, id: string): Promise<DeliveryRecord | null> {
    const rows = await sql.query(`SELECT * FROM ${table} WHERE "subscriptionId" = ? AND "id" = ?`, [
      subscriptionId,
      id,
    ]);
    return rows[0] ? deliveryFromRow(rows[0]) : null;
  },

  /** Newest first; the cursor is the `seq` of the last item. */
  async list(
    sql: SqlClient,
    subscriptionId: string,
    filter: DeliveryFilter,
  ): Promise<PageOf<DeliveryRecord>> {
    const where = ['"subscriptionId" = ?'];
    const params: unknown[] = [subscriptionId];
    const add = (clause: string, value: unknown) => {
      if (value === undefined) return;
      where.push(clause);
      params.push(value);
    };
    add('"status" = ?', filter.status);
    add('"eventType" = ?', filter.eventType);
    add('"createdAt" >= ?::timestamptz', filter.since);
    add('"createdAt" < ?::timestamptz', filter.until);
    add('"seq" < ?::bigint', filter.cursor);
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE ${where.join(' AND ')} ORDER BY "seq" DESC LIMIT ?`,
      [...params, filter.limit + 1],
    );
    const items = rows.slice(0, filter.limit).map(deliveryFromRow);
    const more = rows.length > filter.limit;
    return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
  },

  /** Makes deliveries due now with a fresh schedule; `ids` absent: every failed one. */
  async redeliver(
    sql: SqlClient,
    subscriptionId: string,
    ids?: readonly string[],
  ): Promise<DeliveryRecord[]> {
    const rows = await sql.query(
      `UPDATE ${table} SET "status" = 'pending', "attempts" = 0, "nextAttemptAt" = now(), "succeededAt" = NULL,
         "leaseUntil" = NULL, "claimToken" = NULL
       WHERE "subscriptionId" = ? AND "status" IN ('succeeded', 'failed')
         AND ${ids ? `"id" IN (${ids.map(() => '?').join(', ')})` : `"status" = 'failed'`}
       RETURNING *`,
      [subscriptionId, ...(ids ?? [])],
    );
    return rows.map(deliveryFromRow);
  },

  /** Deletes succeeded deliveries finished before `olderThanMs` ago. */
  async purge(sql: SqlClient, olderThanMs: number): Promise<number> {
    const rows = await sql.query(
      `DELETE FROM ${table} WHERE "status" = 'succeeded'
         AND "succeededAt" < now() - ?::double precision * interval '1 millisecond' RETURNING "seq"`,
      [olderThanMs],
    );
    return rows.length;
  },
};
