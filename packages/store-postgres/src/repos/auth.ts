import { type AuthRepo, GatewayError, type HeldLease } from '@zapgate/core';
import type { Knex } from 'knex';
import { isConnectionLoss } from '../retry.js';
import { inTransaction, rawRows } from '../sql-client.js';
import { isUuid, json } from './convert.js';

// Rows per statement when writing keys (a history sync can set thousands at once)
const chunkSize = 500;

/**
 * The lease row a fenced write needs, locked `FOR KEY SHARE` until commit (as `leases.check`
 * does): a takeover waits for the write, a renewal does not (migration 015).
 */
const leaseCte = `"lease" AS MATERIALIZED (
  SELECT 1 FROM "sessionLeases" WHERE "sessionId" = ? AND "epoch" = ? AND "nodeId" IS NOT NULL FOR KEY SHARE
)`;
const whenHeld = 'EXISTS (SELECT 1 FROM "lease")';

const leaseLost = (fence: HeldLease) =>
  new GatewayError(
    'SESSION_LEASE_LOST',
    `This node no longer owns session ${fence.sessionId} (lease epoch ${fence.epoch} is not current): write refused`,
  );

/** Runs a fenced statement (its last SELECT answers `held`); refuses when the lease was not held. */
async function fencedStatement(db: Knex, sql: string, bindings: unknown[], fence: HeldLease): Promise<void> {
  const rows = await rawRows<{ held: string | number }>(db, sql, bindings);
  if (Number(rows[0]?.held ?? 0) === 0) throw leaseLost(fence);
}

/**
 * Baileys creds and Signal keys on `db`. Values are JSON (BufferJSON-encoded by core) and go
 * through plain SQL rather than objection, which would re-parse JSON strings such as a
 * `lid-mapping` value.
 */
export function authRepo(db: Knex): AuthRepo {
  return {
    async getCreds(sessionId) {
      if (!isUuid(sessionId)) return null;
      const rows = await retryAuth(db, () =>
        rawRows<{ value: unknown }>(db, 'SELECT "value" FROM "authCreds" WHERE "sessionId" = ?', [sessionId]),
      );
      return rows[0] ? rows[0].value : null;
    },
    async setCreds(sessionId, creds, fence) {
      if (fence) {
        if (!isUuid(sessionId)) throw leaseLost(fence);
        // the lease check and the write in one statement (no BEGIN / check / COMMIT round trips)
        return retryAuth(db, () =>
          fencedStatement(
            db,
            `WITH ${leaseCte}, "up" AS (
               INSERT INTO "authCreds" ("sessionId", "value") SELECT ?::uuid, ?::jsonb WHERE ${whenHeld}
               ON CONFLICT ("sessionId") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = now()
             ) SELECT count(*) AS "held" FROM "lease"`,
            [fence.sessionId, fence.epoch, sessionId, json(creds)],
            fence,
          ),
        );
      }
      await retryAuth(db, () =>
        db.raw(
          `INSERT INTO "authCreds" ("sessionId", "value") VALUES (?, ?::jsonb)
         ON CONFLICT ("sessionId") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = now()`,
          [sessionId, json(creds)],
        ),
      );
    },
    async getKeys(sessionId, type, ids) {
      // key ids come from the network: a null-prototype object, never Object.prototype
      const out: Record<string, unknown> = Object.create(null);
      if (ids.length === 0 || !isUuid(sessionId)) return out;
      const rows = await retryAuth(db, () =>
        db('authKeys')
          .select('id', 'value')
          .where({ sessionId, type })
          .whereIn('id', [...ids]),
      );
      for (const row of rows as { id: string; value: unknown }[]) out[row.id] = row.value;
      return out;
    },
    async setKeys(sessionId, data, fence) {
      const upserts: [string, string, string][] = [];
      const deletes: [string, string][] = [];
      for (const [type, values] of Object.entries(data)) {
        for (const [id, value] of Object.entries(values)) {
          if (value == null) deletes.push([type, id]);
          else upserts.push([type, id, json(value)]);
        }
      }
      if (upserts.length === 0 && deletes.length === 0) return;
      if (fence && !isUuid(sessionId)) throw leaseLost(fence);
      // sorted so that concurrent writers of the same keys lock rows in the same order
      upserts.sort((a, b) => a[0].localeCompare(b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      if (fence && upserts.length <= chunkSize && deletes.length <= chunkSize) {
        // a message's ratchet, a lid mapping: the lease check and the write in one statement
        const parts = [leaseCte];
        const bindings: unknown[] = [fence.sessionId, fence.epoch];
        if (upserts.length > 0) {
          parts.push(`"up" AS (
            INSERT INTO "authKeys" ("sessionId", "type", "id", "value")
            SELECT v."sessionId", v."type", v."id", v."value"
            FROM (VALUES ${upserts.map(() => '(?::uuid, ?, ?, ?::jsonb)').join(', ')}) AS v("sessionId", "type", "id", "value")
            WHERE ${whenHeld}
            ON CONFLICT ("sessionId", "type", "id") DO UPDATE SET "value" = EXCLUDED."value"
          )`);
          bindings.push(...upserts.flatMap(([type, id, value]) => [sessionId, type, id, value]));
        }
        if (deletes.length > 0) {
          parts.push(`"gone" AS (
            DELETE FROM "authKeys" WHERE ${whenHeld} AND "sessionId" = ?
              AND ("type", "id") IN (${deletes.map(() => '(?, ?)').join(', ')})
          )`);
          bindings.push(sessionId, ...deletes.flat());
        }
        return retryAuth(db, () =>
          fencedStatement(
            db,
            `WITH ${parts.join(', ')} SELECT count(*) AS "held" FROM "lease"`,
            bindings,
            fence,
          ),
        );
      }
      await retryAuth(db, () =>
        inTransaction(db, async (trx) => {
          if (fence)
            await fencedStatement(
              trx,
              `WITH ${leaseCte} SELECT count(*) AS "held" FROM "lease"`,
              [fence.sessionId, fence.epoch],
              fence,
            );
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

/**
 * Runs an auth-state read or write again (outside transactions) when Postgres chose it as a
 * deadlock victim (two writers of the same keys in other orders) or its connection was lost
 * (a restart, `pg_terminate_backend`, a network blip): Baileys reads and writes Signal keys
 * while decrypting, and a failure there fails the decryption of a message. Up to 6 attempts
 * with a jittered backoff (about 3 s in all); then the error is thrown.
 */
async function retryAuth<T>(db: Knex, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: string } | null)?.code;
      const again = code === '40P01' || code === '40001' || isConnectionLoss(error);
      if (db.isTransaction || attempt >= 6 || !again) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}
