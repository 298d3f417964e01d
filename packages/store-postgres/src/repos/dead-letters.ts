import type { DeadLetter, DeadLetterRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { rawRows } from '../sql-client.js';
import { decodeCursor, encodeCursor, iso, isUuid, json, pageSize } from './convert.js';

interface Row {
  id: string;
  kind: DeadLetter['kind'];
  pluginId: string;
  name: string;
  sessionId: string | null;
  payload: unknown;
  error: string;
  attempts: number;
  createdAt: Date | string;
}

const columns = '"id", "kind", "pluginId", "name", "sessionId", "payload", "error", "attempts", "createdAt"';
const toDeadLetter = (row: Row): DeadLetter => ({
  ...row,
  payload: row.payload ?? null,
  createdAt: iso(row.createdAt),
});

/** Dead letters of jobs and events (table `deadLetters`, migration `011_dead_letters`). */
export function deadLetterRepo(db: Knex): DeadLetterRepo {
  return {
    async add(input) {
      const rows = await rawRows<Row>(
        db,
        `INSERT INTO "deadLetters" (${columns}) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?) RETURNING ${columns}`,
        [
          crypto.randomUUID(),
          input.kind,
          input.pluginId,
          input.name,
          input.sessionId,
          json(input.payload ?? null),
          input.error,
          input.attempts,
          // milliseconds, like the cursors handed out
          new Date().toISOString(),
        ],
      );
      return toDeadLetter(rows[0] as Row);
    },
    async get(id) {
      if (!isUuid(id)) return null;
      const rows = await rawRows<Row>(db, `SELECT ${columns} FROM "deadLetters" WHERE "id" = ?`, [id]);
      return rows[0] ? toDeadLetter(rows[0]) : null;
    },
    async list(filter = {}) {
      const limit = pageSize(filter.limit);
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, ...values: unknown[]) => {
        where.push(clause);
        params.push(...values);
      };
      if (filter.kind !== undefined) add('"kind" = ?', filter.kind);
      if (filter.pluginId !== undefined) add('"pluginId" = ?', filter.pluginId);
      if (filter.sessionId !== undefined) {
        if (!isUuid(filter.sessionId)) return { items: [], nextCursor: null };
        add('"sessionId" = ?', filter.sessionId);
      }
      if (filter.cursor) {
        const [at, id] = decodeCursor(
          filter.cursor,
          (p) =>
            p.length === 2 &&
            typeof p[0] === 'string' &&
            !Number.isNaN(Date.parse(p[0])) &&
            typeof p[1] === 'string' &&
            isUuid(p[1]),
        ) as [string, string];
        add('("createdAt", "id") < (?::timestamptz, ?::uuid)', at, id);
      }
      const rows = await rawRows<Row>(
        db,
        `SELECT ${columns} FROM "deadLetters" ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY "createdAt" DESC, "id" DESC LIMIT ?`,
        [...params, limit + 1],
      );
      const items = rows.slice(0, limit).map(toDeadLetter);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt, last.id]) : null,
      };
    },
    async delete(id) {
      if (!isUuid(id)) return false;
      const rows = await rawRows<{ id: string }>(
        db,
        'DELETE FROM "deadLetters" WHERE "id" = ? RETURNING "id"',
        [id],
      );
      return rows.length > 0;
    },
    async counts() {
      const rows = await rawRows<{ pluginId: string; kind: DeadLetter['kind']; count: string | number }>(
        db,
        'SELECT "pluginId", "kind", count(*) AS "count" FROM "deadLetters" GROUP BY "pluginId", "kind" ORDER BY 1, 2',
      );
      return rows.map((r) => ({ pluginId: r.pluginId, kind: r.kind, count: Number(r.count) }));
    },
  };
}
