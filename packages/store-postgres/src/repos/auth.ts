import type { AuthRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { inTransaction, rawRows } from '../sql-client.js';
import { isUuid, json } from './convert.js';

// Rows per statement when writing keys (a history sync can set thousands at once)
const chunkSize = 500;

/**
 * Baileys creds and Signal keys on `db`. Values are JSON (BufferJSON-encoded by core) and go
 * through plain SQL rather than objection, which would re-parse JSON strings such as a
 * `lid-mapping` value.
 */
export function authRepo(db: Knex): AuthRepo {
  return {
    async getCreds(sessionId) {
      if (!isUuid(sessionId)) return null;
      const rows = await rawRows<{ value: unknown }>(
        db,
        'SELECT "value" FROM "authCreds" WHERE "sessionId" = ?',
        [sessionId],
      );
      return rows[0] ? rows[0].value : null;
    },
    async setCreds(sessionId, creds) {
      await db.raw(
        `INSERT INTO "authCreds" ("sessionId", "value") VALUES (?, ?::jsonb)
         ON CONFLICT ("sessionId") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = now()`,
        [sessionId, json(creds)],
      );
    },
    async getKeys(sessionId, type, ids) {
      // key ids come from the network: a null-prototype object, never Object.prototype
      const out: Record<string, unknown> = Object.create(null);
      if (ids.length === 0 || !isUuid(sessionId)) return out;
      const rows = await db('authKeys')
        .select('id', 'value')
        .where({ sessionId, type })
        .whereIn('id', [...ids]);
      for (const row of rows as { id: string; value: unknown }[]) out[row.id] = row.value;
      return out;
    },
    async setKeys(sessionId, data) {
      const upserts: [string, string, string][] = [];
      const deletes: [string, string][] = [];
      for (const [type, values] of Object.entries(data)) {
        for (const [id, value] of Object.entries(values)) {
          if (value == null) deletes.push([type, id]);
          else upserts.push([type, id, json(value)]);
        }
      }
      if (upserts.length === 0 && deletes.length === 0) return;
      await retryDeadlock(db, () =>
        inTransaction(db, async (trx) => {
          // sorted so that concurrent writers of the same keys lock rows in the same order
          upserts.sort((a, b) => a[0].localeCompare(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
          for (let i = 0; i < upserts.length; i += chunkSize) {
            const chunk = upserts.slice(i, i + chunkSize);
            await trx.raw(
              `INSERT INTO "authKeys" ("sessionId", "type", "id", "value")
             VALUES ${chunk.map(() => '(?, ?, ?, ?::jsonb)').join(', ')}
             ON CONFLICT ("sessionId", "type", "id") DO UPDATE SET "value" = EXCLUDED."value"`,
              chunk.flatMap(([type, id, value]) => [sessionId, type, id, value]),
            );
          }
          for (let i = 0; i < deletes.length; i += chunkSize) {
            const chunk = deletes.slice(i, i + chunkSize);
            await trx.raw(
              `DELETE FROM "authKeys" WHERE "sessionId" = ? AND ("type", "id") IN (${chunk.map(() => '(?, ?)').join(', ')})`,
              [sessionId, ...chunk.flat()],
            );
          }
        }),
      );
    },
    async clear(sessionId) {
      if (!isUuid(sessionId)) return;
      await inTransaction(db, async (trx) => {
        await trx('authKeys').where('sessionId', sessionId).delete();
        await trx('authCreds').where('sessionId', sessionId).delete();
      });
    },
  };
}

/** Retries a deadlocked write (two writers of the same keys in other orders) outside transactions. */
async function retryDeadlock(db: Knex, run: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string } | null)?.code;
      if (db.isTransaction || attempt >= 5 || (code !== '40P01' && code !== '40001')) throw error;
    }
  }
}
