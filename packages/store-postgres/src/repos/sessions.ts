import { randomUUID } from 'node:crypto';
import {
  type CreateSessionInput,
  GatewayError,
  type Session,
  type SessionQr,
  type SessionRepo,
  type SessionSettings,
  type SessionStatus,
  type SessionUpdate,
} from '@zapgate/core';
import type { Knex } from 'knex';
import { SessionModel } from '../models/index.js';
import { inTransaction } from '../sql-client.js';
import { iso, isUniqueViolation, isUuid, json } from './convert.js';

const jsonColumns = new Set(['settings', 'qr']);

function toSession(row: SessionModel): Session {
  return {
    id: row.id,
    name: row.name,
    status: row.status as SessionStatus,
    statusReason: row.statusReason,
    deviceJid: row.deviceJid,
    phoneNumber: row.phoneNumber,
    pushName: row.pushName,
    proxyUrl: row.proxyUrl,
    settings: row.settings as SessionSettings,
    qr: (row.qr ?? null) as SessionQr | null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

const nameTaken = (name: string) =>
  new GatewayError('SESSION_NAME_TAKEN', `A session named "${name}" exists`);

/** Sessions on `db` (the pool or a transaction). */
export function sessionRepo(db: Knex): SessionRepo {
  const query = () => SessionModel.query(db);
  const one = async (build: (q: ReturnType<typeof query>) => unknown) => {
    const rows = (await build(query())) as SessionModel[];
    return rows[0] ? toSession(rows[0]) : null;
  };
  return {
    async create(input: CreateSessionInput) {
      const id = input.id ?? randomUUID();
      // ON CONFLICT DO NOTHING keeps a caller's transaction usable when the name is taken
      const { rows } = (await db.raw(
        `INSERT INTO "sessions" ("id", "name", "proxyUrl", "settings", "apiKeyHash")
         VALUES (?, ?, ?, ?::jsonb, ?) ON CONFLICT DO NOTHING RETURNING *`,
        [id, input.name, input.proxyUrl ?? null, json(input.settings), input.apiKeyHash ?? null],
      )) as { rows: SessionModel[] };
      if (rows[0]) return toSession(rows[0]);
      if (await one((q) => q.where('name', input.name).limit(1))) throw nameTaken(input.name);
      throw new GatewayError('STORE_FAILED', `A session with id ${id} or this API key already exists`);
    },
    get: (id) => (isUuid(id) ? one((q) => q.where('id', id).limit(1)) : Promise.resolve(null)),
    getByName: (name) => one((q) => q.where('name', name).limit(1)),
    getByApiKeyHash: (hash) => one((q) => q.where('apiKeyHash', hash).limit(1)),
    async list(filter = {}) {
      let q = query().orderBy([{ column: 'seq' }]);
      if (filter.status) q = q.whereIn('status', filter.status);
      return (await q).map(toSession);
    },
    async reassignStatus(from, to, reason, sessionIds) {
      if (sessionIds && sessionIds.length === 0) return [];
      let q = db('sessions').where('status', from);
      if (sessionIds) q = q.whereIn('id', sessionIds.filter(isUuid));
      const rows = (await q
        .update({
          status: to,
          statusReason: reason,
          updatedAt: db.raw(
            `greatest(date_trunc('milliseconds', clock_timestamp()), date_trunc('milliseconds', "updatedAt") + interval '1 millisecond')`,
          ),
        })
        .returning('*')) as SessionModel[];
      return rows.map(toSession);
    },
    async update(id, update: SessionUpdate) {
      const patch: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(update)) {
        if (value === undefined) continue;
        patch[key] = jsonColumns.has(key) && value !== null ? db.raw('?::jsonb', [json(value)]) : value;
      }
      // strictly increasing even at the millisecond precision the contract's ISO strings have
      patch.updatedAt = db.raw(
        `greatest(date_trunc('milliseconds', clock_timestamp()), date_trunc('milliseconds', "updatedAt") + interval '1 millisecond')`,
      );
      let rows: SessionModel[] = [];
      if (isUuid(id)) {
        try {
          rows = (await db('sessions').where('id', id).update(patch).returning('*')) as SessionModel[];
        } catch (error) {
          if (isUniqueViolation(error, 'sessions_name_key') && update.name) throw nameTaken(update.name);
          throw error;
        }
      }
      if (!rows[0]) throw new GatewayError('SESSION_NOT_FOUND', `No session ${id}`);
      return toSession(rows[0]);
    },
    async delete(id, options = {}) {
      if (!isUuid(id)) return false;
      return inTransaction(db, async (trx) => {
        // RETURNING rather than the row count, which knex-pglite does not report for deletes
        const deleted = await trx('sessions').where('id', id).delete().returning('id');
        await trx('authKeys').where('sessionId', id).delete();
        await trx('authCreds').where('sessionId', id).delete();
        if (!options.keepData) {
          await trx('messages').where('sessionId', id).delete();
          await trx('chats').where('sessionId', id).delete();
          await trx('contacts').where('sessionId', id).delete();
        }
        return deleted.length > 0;
      });
    },
  };
}
