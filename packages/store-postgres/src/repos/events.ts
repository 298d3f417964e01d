import type { EventLogRepo, GatewayEvent, NewEvent, StoredEvent } from '@zapgate/core';
import type { Knex } from 'knex';
import { EventModel } from '../models/index.js';
import type { EventSequencer } from '../sequencer.js';
import { rawRows } from '../sql-client.js';
import { iso, isUuid, json } from './convert.js';

/** What an event log on one connection or transaction reports to its store. */
export interface EventLogContext {
  sequencer: EventSequencer;
  /** Called on every append inside a transaction (the store sequences after its commit). */
  appended(): void;
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

/** Rows per INSERT: 5 parameters each, well under Postgres' 65,535. */
const chunk = 1000;

/**
 * The event log on `db`. Appends are plain INSERTs without a position; positions are given
 * after commit by the store's {@link EventSequencer}, in commit order, so a reader that saw
 * position n never later sees an event below n, and no writer waits for another. Reads
 * outside a transaction first ask for a sequencer run unless one just ended
 * ({@link EventSequencer.beforeRead}), so events a crashed process committed but never
 * numbered get their position from a reader within a second.
 */
export function eventLogRepo(db: Knex, context: EventLogContext): EventLogRepo {
  const outside = !db.isTransaction;
  const insert = async (events: readonly NewEvent[]) => {
    for (let i = 0; i < events.length; i += chunk) {
      const rows = events.slice(i, i + chunk);
      await db.raw(
        `INSERT INTO "events" ("id", "type", "sessionId", "occurredAt", "data") VALUES ${rows
          .map(() => '(?, ?, ?, ?, ?::jsonb)')
          .join(', ')}`,
        rows.flatMap((e) => [e.id, e.type, e.sessionId, e.occurredAt, json(e.data)]),
      );
    }
    if (outside) await context.sequencer.sequence();
    else context.appended();
  };
  const positioned = () => (outside ? context.sequencer.beforeRead() : Promise.resolve());
  return {
    async append(event) {
      await insert([event]);
      return { ...event, occurredAt: iso(event.occurredAt) } as GatewayEvent<typeof event.type>;
    },
    async appendMany(events) {
      if (events.length > 0) await insert(events);
    },
    async list(filter) {
      await positioned();
      const q = EventModel.query(db).where('seq', '>', filter.afterSeq);
      if (filter.beforeSeq !== undefined) q.where('seq', '<', filter.beforeSeq);
      if (filter.sessionId === null) q.whereNull('sessionId');
      else if (filter.sessionId !== undefined) {
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
      const rows = await q
        .orderBy('seq', filter.newestFirst ? 'desc' : 'asc')
        .limit(Math.max(1, filter.limit));
      return rows.map(toStored);
    },
    async get(id) {
      let row = await EventModel.query(db).where('id', id).first();
      if (row && row.seq === null && outside) {
        await context.sequencer.sequence();
        row = await EventModel.query(db).where('id', id).first();
      }
      return row && row.seq !== null ? toStored(row) : null;
    },
    async head() {
      await positioned();
      const rows = await rawRows<{ head: string | number | null }>(
        db,
        'SELECT max("seq") AS "head" FROM "events"',
      );
      return Number(rows[0]?.head ?? 0);
    },
    async prune(olderThan, limit) {
      const rows = await rawRows<{ n: string | number }>(
        db,
        `WITH "bound" AS (
           SELECT least(
             (SELECT min("position") FROM "consumerCursors"),
             (SELECT min("position") FROM "consumerStreams")
           ) AS "seq"
         ), "doomed" AS (
           SELECT e."seq" FROM "events" e
           WHERE e."seq" IS NOT NULL AND e."occurredAt" < ?::timestamptz
             AND e."seq" <= coalesce((SELECT "seq" FROM "bound"), 9223372036854775807)
           ORDER BY e."seq" LIMIT ?
         ), "gone" AS (
           DELETE FROM "events" WHERE "seq" IN (SELECT "seq" FROM "doomed") RETURNING 1
         )
         SELECT count(*) AS "n" FROM "gone"`,
        [olderThan, Math.max(1, limit)],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
