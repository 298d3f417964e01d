import type { SqlClient } from '@zapgate/core';

/** `chatwootDeliveries`: the `X-Chatwoot-Delivery` ids of callbacks already accepted, per session. */
export const deliveriesRepo = {
  /** True the first time a delivery id is seen for the session; false for a repeat. */
  async claim(sql: SqlClient, sessionId: string, deliveryId: string): Promise<boolean> {
    const rows = await sql.query(
      `INSERT INTO "chatwootDeliveries" ("sessionId", "deliveryId") VALUES (?, ?)
       ON CONFLICT DO NOTHING RETURNING "deliveryId"`,
      [sessionId, deliveryId],
    );
    return rows.length === 1;
  },

  /** Forgets ids older than `before` (a repeat that old is refused by its timestamp anyway). */
  async prune(sql: SqlClient, before: Date): Promise<number> {
    const rows = await sql.query(`DELETE FROM "chatwootDeliveries" WHERE "receivedAt" < ? RETURNING 1`, [
      before,
    ]);
    return rows.length;
  },
};
