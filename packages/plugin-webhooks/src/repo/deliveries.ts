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

/** A delivery being attempted, with what sending it needs from its subscription. */
export interface SendableDelivery extends DeliveryRecord {
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

/** A delivery waiting for an attempt, with what its job needs (endpoint group, ordering lane). */
export interface WaitingDelivery {
  seq: string;
  id: string;
  subscriptionId: string;
  endpoint: string;
  ordered: boolean;
  chatKey: string | null;
}

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
  /**
   * Inserts deliveries; one already present for (subscription, event) is kept as it is. Answers
   * every row, new or present, with its id and status: a handler that runs again after a
   * failure queues what is still pending.
   */
  async insertMany(
    sql: SqlClient,
    deliveries: readonly NewDelivery[],
  ): Promise<{ id: string; subscriptionId: string; eventId: string; status: DeliveryStatus }[]> {
    if (deliveries.length === 0) return [];
    const rows = await sql.query(
      `INSERT INTO ${table} ("id", "subscriptionId", "eventId", "eventType", "sessionId", "chatKey", "payload")
       VALUES ${deliveries.map(() => '(?, ?, ?, ?, ?, ?, ?::jsonb)').join(', ')}
       ON CONFLICT ("subscriptionId", "eventId") DO UPDATE SET "eventId" = EXCLUDED."eventId"
       RETURNING "id", "subscriptionId", "eventId", "status"`,
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
    return rows.map((r) => ({
      id: String(r.id),
      subscriptionId: String(r.subscriptionId),
      eventId: String(r.eventId),
      status: String(r.status) as DeliveryStatus,
    }));
  },

  /**
   * Deliveries to attempt, by id, with their subscription's URL, headers and secrets, in one
   * statement. A delivery with nothing to send (already finished, deleted, or its subscription
   * is disabled: re-enabling queues it again) is absent. A read: an attempt is counted when
   * its result is recorded (a process that dies mid-request leaves it uncounted and pending).
   */
  async begin(sql: SqlClient, ids: readonly string[]): Promise<Map<string, SendableDelivery>> {
    if (ids.length === 0) return new Map();
    const rows = await sql.query(
      `SELECT d.*, s."url", s."endpoint", s."headers", s."secret", s."previousSecret", s."previousSecretExpiresAt"
       FROM ${table} d JOIN "webhookSubscriptions" s ON s."id" = d."subscriptionId"
       WHERE d."id" IN (SELECT e::uuid FROM jsonb_array_elements_text(?::jsonb) AS e)
         AND s."enabled" AND d."status" IN ('pending', 'delivering')`,
      [jsonParam(ids)],
    );
    return new Map(
      rows.map((row) => [
        String(row.id),
        {
          ...deliveryFromRow(row),
          url: String(row.url),
          endpoint: String(row.endpoint),
          headers: toJson<Record<string, string>>(row.headers),
          secret: String(row.secret),
          previousSecret: toStringOrNull(row.previousSecret),
          previousSecretExpiresAt: toIsoOrNull(row.previousSecretExpiresAt),
        },
      ]),
    );
  },

  /**
   * Records how attempts ended, counting each (deliveries still waiting for them), in one
   * statement. `endedMsAgo`: how long before this call the attempt ended (its time is taken
   * from the database clock). Answers the ids recorded.
   */
  async record(
    sql: SqlClient,
    attempts: readonly { id: string; result: AttemptResult; endedMsAgo: number }[],
  ): Promise<Set<string>> {
    if (attempts.length === 0) return new Set();
    const rows = await sql.query(
      `UPDATE ${table} d SET "status" = r."status", "lastStatusCode" = r."statusCode", "lastError" = r."error",
         "lastDurationMs" = r."durationMs", "attempts" = d."attempts" + 1,
         "lastAttemptAt" = clock_timestamp() - (r."durationMs" + r."endedMsAgo") * interval '1 millisecond',
         "nextAttemptAt" = now() + r."retryInMs" * interval '1 millisecond',
         "succeededAt" = CASE WHEN r."status" = 'succeeded'
           THEN clock_timestamp() - r."endedMsAgo" * interval '1 millisecond' ELSE NULL END
       FROM jsonb_to_recordset(?::jsonb) AS r("id" uuid, "status" text, "statusCode" integer, "error" text,
         "durationMs" integer, "endedMsAgo" double precision, "retryInMs" double precision)
       WHERE d."id" = r."id" AND d."status" IN ('pending', 'delivering') RETURNING d."id"`,
      [
        jsonParam(
          attempts.map(({ id, result, endedMsAgo }) => ({
            id,
            status: result.status,
            statusCode: result.statusCode,
            error: result.error,
            durationMs: Math.round(result.durationMs),
            endedMsAgo: Math.max(0, Math.round(endedMsAgo)),
            retryInMs: result.status === 'pending' ? Math.round(result.retryInMs) : 0,
          })),
        ),
      ],
    );
    return new Set(rows.map((r) => String(r.id)));
  },

  /**
   * Deliveries waiting for an attempt (pending or delivering) of enabled subscriptions, oldest
   * first, after `afterSeq`; `subscriptionId`: only that subscription's.
   */
  async waiting(
    sql: SqlClient,
    options: { subscriptionId?: string; afterSeq: string; limit: number },
  ): Promise<WaitingDelivery[]> {
    const rows = await sql.query(
      `SELECT d."seq", d."id", d."subscriptionId", d."chatKey", s."endpoint", s."ordered"
       FROM ${table} d JOIN "webhookSubscriptions" s ON s."id" = d."subscriptionId"
       WHERE d."status" IN ('pending', 'delivering') AND s."enabled" AND d."seq" > ?::bigint
         ${options.subscriptionId ? 'AND d."subscriptionId" = ?' : ''}
       ORDER BY d."seq" LIMIT ?`,
      [options.afterSeq, ...(options.subscriptionId ? [options.subscriptionId] : []), options.limit],
    );
    return rows.map((row) => ({
      seq: String(row.seq),
      id: String(row.id),
      subscriptionId: String(row.subscriptionId),
      endpoint: String(row.endpoint),
      ordered: Boolean(row.ordered),
      chatKey: toStringOrNull(row.chatKey),
    }));
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
      `UPDATE ${table} SET "status" = 'pending', "attempts" = 0, "nextAttemptAt" = now(), "succeededAt" = NULL
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
