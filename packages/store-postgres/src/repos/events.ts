import type { EventLogRepo, NewEvent, StoredEvent } from '@zapgate/core';
import type { Knex } from 'knex';
import { EventModel } from '../models/index.js';
import { inTransaction, rawRows } from '../sql-client.js';
import { iso, isUuid, json } from './convert.js';

/** Names scoped to one store's schema. */
export interface EventChannel {
  /** The NOTIFY channel. */
  channel: string;
  /** The text hashed into the advisory lock that orders appends. */
  lockName: string;
}

function toStored(row: EventModel): StoredEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    type: row.type,
    sessionId: row.sessionId,
    occurredAt: iso(row.occurredAt),
    data: row.data,
  } as StoredEvent;
}

/**
 * The event log on `db`. Appends take a transaction-scoped advisory lock before drawing their
 * `seq`, so appending transactions commit in `seq` order: a reader that saw `seq` n can never
 * later see an event below n (what consumers' cursors rely on). The NOTIFY is sent in the same
 * transaction, so listeners wake on commit.
 */
export function eventLogRepo(db: Knex, names: EventChannel): EventLogRepo {
  return {
    append(event: NewEvent) {
      return inTransaction(db, async (trx) => {
        await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [names.lockName]);
        const rows = await rawRows<EventModel>(
          trx,
          `INSERT INTO "events" ("id", "type", "sessionId", "occurredAt", "data")
           VALUES (?, ?, ?, ?, ?::jsonb) RETURNING *`,
          [event.id, event.type, event.sessionId, event.occurredAt, json(event.data)],
        );
        // an empty payload lets Postgres fold the notifications of one transaction into one
        await trx.raw('SELECT pg_notify(?, ?)', [names.channel, '']);
        return toStored(rows[0] as EventModel);
      });
    },
    async list(filter) {
      const q = EventModel.query(db).where('seq', '>', filter.afterSeq);
      if (filter.sessionId !== undefined) {
        if (!isUuid(filter.sessionId)) return [];
        q.where('sessionId', filter.sessionId);
      }
      if (filter.types && !filter.types.includes('*')) {
        const exact = filter.types.filter((t) => !t.endsWith('.*'));
        const prefixes = filter.types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
        q.where((w) => {
          w.whereIn('type', exact);
          for (const prefix of prefixes) w.orWhere('type', 'like', `${prefix.replace(/[\\%_]/g, '\\$&')}%`);
        });
      }
      const rows = await q.orderBy('seq').limit(Math.max(1, filter.limit));
      return rows.map(toStored);
    },
    async get(id) {
      const row = await EventModel.query(db).where('id', id).first();
      return row ? toStored(row) : null;
    },
    async head() {
      const rows = await rawRows<{ head: string | number | null }>(
        db,
        'SELECT max("seq") AS "head" FROM "events"',
      );
      return Number(rows[0]?.head ?? 0);
    },
  };
}
