import { type SecretBox, type SqlClient, sqlValues } from '@zapgate/core';

/** `running`: messages flow; `stopped`: a fatal Chatwoot answer (token, inbox) stopped the bridge. */
export type BridgeStatus = 'running' | 'stopped';

/** The bridge state of one session. */
export interface BridgeState {
  sessionId: string;
  status: BridgeStatus;
  /** The error code that stopped it (`CHATWOOT_UNAUTHORIZED`…). */
  code: string | null;
  reason: string | null;
  /** The inbox in use (configured by id, or found/created by name). */
  inboxId: number | null;
  /** The token in the callback URL (sealed when the host has an encryption key). */
  callbackToken: string | null;
  /** The webhook signing secret Chatwoot gave the inbox (sealed when the host has an encryption key). */
  inboxSecret: string | null;
  updatedAt: string;
}

const columns = `"sessionId", "status", "code", "reason", "inboxId", "callbackToken", "inboxSecret", "updatedAt"`;
const opened = (box: SecretBox, value: unknown) => {
  const stored = sqlValues.stringOrNull(value);
  return stored === null ? null : box.open(stored);
};
const sealed = (box: SecretBox, value: string | null | undefined) => (value ? box.seal(value) : null);

const rowOf = (box: SecretBox, row: Record<string, unknown>): BridgeState => ({
  sessionId: String(row.sessionId),
  status: row.status as BridgeStatus,
  code: sqlValues.stringOrNull(row.code),
  reason: sqlValues.stringOrNull(row.reason),
  inboxId: sqlValues.numberOrNull(row.inboxId),
  callbackToken: opened(box, row.callbackToken),
  inboxSecret: opened(box, row.inboxSecret),
  updatedAt: sqlValues.iso(row.updatedAt),
});

const writable = ['status', 'code', 'reason', 'inboxId', 'callbackToken', 'inboxSecret'] as const;

/**
 * `chatwootBridges`: one row per session with the bridge configured. The callback token and
 * the inbox's signing secret are sealed with `box` (in clear only when the host has no
 * encryption key).
 */
export const bridgesRepo = {
  async get(sql: SqlClient, box: SecretBox, sessionId: string): Promise<BridgeState | null> {
    const rows = await sql.query(`SELECT ${columns} FROM "chatwootBridges" WHERE "sessionId" = ?`, [
      sessionId,
    ]);
    return rows[0] ? rowOf(box, rows[0]) : null;
  },

  /** Changes the given fields (creating the row, running, when there is none). */
  async update(
    sql: SqlClient,
    box: SecretBox,
    sessionId: string,
    change: Partial<Pick<BridgeState, (typeof writable)[number]>>,
  ): Promise<BridgeState> {
    const keys = writable.filter((key) => key in change);
    const values = keys.map((key) =>
      key === 'callbackToken' || key === 'inboxSecret' ? sealed(box, change[key]) : (change[key] ?? null),
    );
    const sets = keys.map((key) => `"${key}" = excluded."${key}"`);
    const rows = await sql.query(
      `INSERT INTO "chatwootBridges" ("sessionId"${keys.map((k) => `, "${k}"`).join('')})
       VALUES (?${keys.map(() => ', ?').join('')})
       ON CONFLICT ("sessionId") DO UPDATE SET ${[...sets, `"updatedAt" = clock_timestamp()`].join(', ')}
       RETURNING ${columns}`,
      [sessionId, ...values],
    );
    return rowOf(box, rows[0]!);
  },
};
