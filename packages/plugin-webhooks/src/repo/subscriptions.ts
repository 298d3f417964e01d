import type { SqlClient } from '@zapgate/core';
import { jsonParam, toIso, toIsoOrNull, toJson, toStringOrNull } from './rows.js';

/** A subscription as stored (secrets as stored: sealed when a key is configured). */
export interface SubscriptionRecord {
  id: string;
  sessionId: string | null;
  url: string;
  endpoint: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  headers: Record<string, string>;
  description: string | null;
  ordered: boolean;
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Fields a create or update writes. */
export type SubscriptionFields = Omit<SubscriptionRecord, 'id' | 'createdAt' | 'updatedAt'>;

const table = '"webhookSubscriptions"';

export function subscriptionFromRow(row: Record<string, unknown>): SubscriptionRecord {
  return {
    id: String(row.id),
    sessionId: toStringOrNull(row.sessionId),
    url: String(row.url),
    endpoint: String(row.endpoint),
    events: toJson<string[]>(row.events),
    enabled: Boolean(row.enabled),
    disabledReason: toStringOrNull(row.disabledReason),
    headers: toJson<Record<string, string>>(row.headers),
    description: toStringOrNull(row.description),
    ordered: Boolean(row.ordered),
    secret: String(row.secret),
    previousSecret: toStringOrNull(row.previousSecret),
    previousSecretExpiresAt: toIsoOrNull(row.previousSecretExpiresAt),
    createdAt: toIso(row.createdAt),
    updatedAt: toIso(row.updatedAt),
  };
}

/** The values of the columns insert and update both write, in their SQL order. */
const mutableValues = (fields: SubscriptionFields) => [
  fields.url,
  fields.endpoint,
  jsonParam(fields.events),
  fields.enabled,
  fields.disabledReason,
  jsonParam(fields.headers),
  fields.description,
  fields.ordered,
  fields.secret,
  fields.previousSecret,
  fields.previousSecretExpiresAt,
];

// the API shows milliseconds: page on exactly what a cursor can carry
const createdMs = `date_trunc('milliseconds', "createdAt")`;

let writes = 0;
/** Grows after every write made through {@link subscriptionsRepo} in this process (the cache's local invalidation). */
export const subscriptionWrites = () => writes;
/** Runs a write, then counts it (also when it failed: it may have been applied). */
const written = async <T>(write: Promise<T>): Promise<T> => {
  try {
    return await write;
  } finally {
    writes++;
  }
};

/** Subscriptions data access over the plugin's SQL client. */

export const subscriptionsRepo = {
  async insert(sql: SqlClient, id: string, fields: SubscriptionFields): Promise<SubscriptionRecord> {
    const rows = await written(
      sql.query(
        `INSERT INTO ${table} ("id", "sessionId", "url", "endpoint", "events", "enabled", "disabledReason",
         "headers", "description", "ordered", "secret", "previousSecret", "previousSecretExpiresAt")
       VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?, ?, ?, ?, ?) RETURNING *`,
        [id, fields.sessionId, ...mutableValues(fields)],
      ),
    );
    return subscriptionFromRow(rows[0]!);
  },

  /** The subscription `id` owned by `sessionId` (`null`: a global one), else null. */
  async get(sql: SqlClient, id: string, sessionId: string | null): Promise<SubscriptionRecord | null> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "id" = ? AND "sessionId" IS NOT DISTINCT FROM ?::uuid`,
      [id, sessionId],
    );
    return rows[0] ? subscriptionFromRow(rows[0]) : null;
  },

  /** Oldest first, `limit` at a time (cursors carry the millisecond `createdAt` the API shows); `after` is the sort key (`createdAt`, `id`) of the last row seen. */
  async list(
    sql: SqlClient,
    sessionId: string | null,
    page: { limit: number; after?: readonly [string, string] } = { limit: 1000 },
  ): Promise<SubscriptionRecord[]> {
    const rows = await sql.query(
      `SELECT * FROM ${table} WHERE "sessionId" IS NOT DISTINCT FROM ?::uuid
         ${page.after ? `AND (${createdMs}, "id") > (?::timestamptz, ?::uuid)` : ''}
       ORDER BY ${createdMs}, "id" LIMIT ?`,
      [sessionId, ...(page.after ?? []), page.limit],
    );
    return rows.map(subscriptionFromRow);
  },

  async update(sql: SqlClient, id: string, fields: SubscriptionFields): Promise<SubscriptionRecord> {
    const rows = await written(
      sql.query(
        `UPDATE ${table} SET "url" = ?, "endpoint" = ?, "events" = ?::jsonb, "enabled" = ?, "disabledReason" = ?,
         "headers" = ?::jsonb, "description" = ?, "ordered" = ?, "secret" = ?, "previousSecret" = ?,
         "previousSecretExpiresAt" = ?, "updatedAt" = clock_timestamp()
       WHERE "id" = ? RETURNING *`,
        [...mutableValues(fields), id],
      ),
    );
    return subscriptionFromRow(rows[0]!);
  },

  async disable(sql: SqlClient, id: string, reason: string): Promise<void> {
    await written(
      sql.query(
        `UPDATE ${table} SET "enabled" = false, "disabledReason" = ?, "updatedAt" = clock_timestamp() WHERE "id" = ?`,
        [reason, id],
      ),
    );
  },

  async delete(sql: SqlClient, id: string): Promise<void> {
    await written(sql.query(`DELETE FROM ${table} WHERE "id" = ?`, [id]));
  },
};
