import { randomUUID } from 'node:crypto';
import {
  GatewayError,
  isStatusAdvance,
  type Message,
  type MessageListFilter,
  type MessageRepo,
  MessageStatus,
  type MessageUpdate,
  type NewMessage,
} from '@zapgate/core';
import type { Knex } from 'knex';
import { MessageModel } from '../models/index.js';
import { inTransaction, rawRows } from '../sql-client.js';
import { decodeCursor, encodeCursor, iso, isUuid, json, pageSize } from './convert.js';

const jsonColumns = new Set(['content', 'mediaInfo', 'metadata']);
const updatable = ['content', 'msgType', 'mediaInfo', 'metadata', 'status', 'waid', 'timestamp'] as const;

function toMessage(row: MessageModel): Message {
  return {
    id: row.id,
    sessionId: row.sessionId,
    chatId: row.chatId,
    waid: row.waid,
    msgType: row.msgType,
    content: row.content,
    mediaInfo: row.mediaInfo ?? null,
    senderJid: row.senderJid,
    senderName: row.senderName,
    isFromMe: row.isFromMe,
    quotedMsgId: row.quotedMsgId,
    origin: row.origin ?? null,
    status: row.status as MessageStatus,
    timestamp: iso(row.timestamp),
    metadata: row.metadata ?? {},
  } as Message;
}

/** Every status, from core's schema. */
const allStatuses = MessageStatus.anyOf.map((literal) => literal.const);

const notFound = (id: string) => new GatewayError('MESSAGE_NOT_FOUND', `No message ${id}`);

/** The row `insert` writes for a message. */
function toRow(message: NewMessage) {
  return {
    id: message.id ?? randomUUID(),
    sessionId: message.sessionId,
    chatId: message.chatId,
    waid: message.waid,
    msgType: message.msgType,
    content: json(message.content),
    mediaInfo: message.mediaInfo == null ? null : json(message.mediaInfo),
    senderJid: message.senderJid ?? null,
    senderName: message.senderName ?? null,
    isFromMe: message.isFromMe,
    quotedMsgId: message.quotedMsgId ?? null,
    origin: message.origin !== undefined ? message.origin : message.isFromMe ? 'phone' : null,
    status: message.status ?? (message.isFromMe ? 'sent' : 'delivered'),
    timestamp: message.timestamp,
    metadata: json(message.metadata ?? {}),
    idempotencyKey: message.idempotencyKey ?? null,
    requestHash: message.requestHash ?? null,
  };
}

const rowColumns = Object.keys(toRow({} as NewMessage));
const rowValues = `(${rowColumns.map((c) => (jsonColumns.has(c) ? '?::jsonb' : '?')).join(', ')})`;
/** Rows per multi-row INSERT (17 parameters each). */
const insertChunk = 500;

/** `INSERT … ON CONFLICT DO NOTHING RETURNING *` of rows; DO NOTHING keeps a caller's transaction usable. */
function insertRows(db: Knex, rows: ReturnType<typeof toRow>[]): Promise<MessageModel[]> {
  return rawRows<MessageModel>(
    db,
    `INSERT INTO "messages" (${rowColumns.map((c) => `"${c}"`).join(', ')})
     VALUES ${rows.map(() => rowValues).join(', ')}
     ON CONFLICT DO NOTHING RETURNING *`,
    rows.flatMap((row) => Object.values(row)),
  );
}

/** Messages on `db` (the pool or a transaction). */
export function messageRepo(db: Knex): MessageRepo {
  const first = async (q: Knex.QueryBuilder | ReturnType<typeof MessageModel.query>) => {
    const rows = (await q.limit(1)) as MessageModel[];
    return rows[0] ? toMessage(rows[0]) : null;
  };
  const repo: MessageRepo = {
    async insertMany(messages) {
      const rows = messages.map(toRow);
      const byId = new Map<string, Message>();
      for (let i = 0; i < rows.length; i += insertChunk) {
        for (const row of await insertRows(db, rows.slice(i, i + insertChunk)))
          byId.set(row.id, toMessage(row));
      }
      return rows.map((row) => byId.get(row.id)).filter((m): m is Message => m !== undefined);
    },
    async insert(message: NewMessage) {
      const row = toRow(message);
      const inserted = await insertRows(db, [row]);
      if (inserted[0]) return { message: toMessage(inserted[0]), inserted: true };
      const existing =
        (await repo.getByWaid(row.sessionId, row.chatId, row.waid)) ??
        (row.idempotencyKey
          ? (await repo.getByIdempotencyKey(row.sessionId, row.idempotencyKey))?.message
          : null) ??
        (await repo.get(row.sessionId, row.id));
      if (!existing)
        throw new GatewayError('STORE_FAILED', `Message ${row.waid} conflicted but is not stored`);
      return { message: existing, inserted: false };
    },
    get: async (sessionId, id) =>
      isUuid(sessionId) && isUuid(id) ? first(MessageModel.query(db).where({ sessionId, id })) : null,
    getByWaid: async (sessionId, chatId, waid) =>
      isUuid(sessionId) ? first(MessageModel.query(db).where({ sessionId, chatId, waid })) : null,
    async getByIdempotencyKey(sessionId, idempotencyKey) {
      if (!isUuid(sessionId)) return null;
      const [row] = (await MessageModel.query(db)
        .where({ sessionId, idempotencyKey })
        .limit(1)) as MessageModel[];
      return row ? { message: toMessage(row), requestHash: row.requestHash } : null;
    },
    async list(sessionId, filter: MessageListFilter = {}) {
      if (!isUuid(sessionId)) return { items: [], nextCursor: null };
      const limit = pageSize(filter.limit);
      const q = MessageModel.query(db).where('sessionId', sessionId);
      if (filter.chatId !== undefined) q.where('chatId', filter.chatId);
      if (filter.msgType !== undefined) q.where('msgType', filter.msgType);
      if (filter.isFromMe !== undefined) q.where('isFromMe', filter.isFromMe);
      if (filter.status !== undefined) q.where('status', filter.status);
      if (filter.since !== undefined) q.where('timestamp', '>=', filter.since);
      if (filter.until !== undefined) q.where('timestamp', '<', filter.until);
      if (filter.cursor) {
        const [at, id] = decodeCursor(
          filter.cursor,
          (p) => p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string' && isUuid(p[1]),
        ) as [string, string];
        q.whereRaw('("timestamp", "id") < (?::timestamptz, ?::uuid)', [at, id]);
      }
      const rows = await q
        .orderBy([
          { column: 'timestamp', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit + 1);
      const items = rows.slice(0, limit).map(toMessage);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([last.timestamp, last.id]) : null,
      };
    },
    async update(sessionId, id, update: MessageUpdate) {
      if (!isUuid(sessionId) || !isUuid(id)) throw notFound(id);
      const patch: Record<string, unknown> = {};
      for (const key of updatable) {
        const value = update[key];
        if (value === undefined) continue;
        patch[key] = jsonColumns.has(key) && value !== null ? db.raw('?::jsonb', [json(value)]) : value;
      }
      if (Object.keys(patch).length === 0) {
        const current = await repo.get(sessionId, id);
        if (!current) throw notFound(id);
        return current;
      }
      const rows = (await db('messages')
        .where({ sessionId, id })
        .update(patch)
        .returning('*')) as MessageModel[];
      if (!rows[0]) throw notFound(id);
      return toMessage(rows[0]);
    },
    async failPending(error, sessionIds) {
      if (sessionIds && sessionIds.length === 0) return [];
      const ids = sessionIds?.filter(isUuid);
      // the partial index of migration 009 makes this cheap however many messages are stored
      const rows = await rawRows<MessageModel>(
        db,
        `UPDATE "messages" SET "status" = 'failed', "metadata" = "metadata" || jsonb_build_object('error', ?::text)
         WHERE "status" = 'pending' AND "isFromMe"${ids ? ' AND "sessionId" = ANY(?::uuid[])' : ''} RETURNING *`,
        ids ? [error, ids] : [error],
      );
      return rows.map(toMessage);
    },
    async advanceStatus(sessionId, chatId, waid, status) {
      if (!isUuid(sessionId)) return null;
      return inTransaction(db, async (trx) => {
        const rows = await rawRows<MessageModel>(
          trx,
          `SELECT * FROM "messages" WHERE "sessionId" = ? AND "chatId" = ? AND "waid" = ? FOR UPDATE`,
          [sessionId, chatId, waid],
        );
        const current = rows[0];
        if (!current || !isStatusAdvance(current.status as MessageStatus, status)) return null;
        const updated = await rawRows<MessageModel>(
          trx,
          `UPDATE "messages" SET "status" = ? WHERE "id" = ? RETURNING *`,
          [status, current.id],
        );
        return { message: toMessage(updated[0] ?? current), previous: current.status as MessageStatus };
      });
    },
    async advanceStatusMany(sessionId, keys, status) {
      if (!isUuid(sessionId) || keys.length === 0) return [];
      // the statuses this one follows (see isStatusAdvance), decided here rather than in SQL
      const from = allStatuses.filter((s) => isStatusAdvance(s, status));
      const rows = await rawRows<MessageModel & { previousStatus: string; position: string }>(
        db,
        `WITH "wanted" AS (
           SELECT * FROM unnest(?::text[], ?::text[]) WITH ORDINALITY AS w("chatId", "waid", "position")
         ), "old" AS (
           SELECT m."id", m."status", w."position" FROM "messages" m
           JOIN "wanted" w ON m."chatId" = w."chatId" AND m."waid" = w."waid"
           WHERE m."sessionId" = ? AND m."status" = ANY(?::text[])
           ORDER BY m."id" FOR UPDATE OF m
         )
         UPDATE "messages" m SET "status" = ? FROM "old" WHERE m."id" = "old"."id"
         RETURNING m.*, "old"."status" AS "previousStatus", "old"."position"`,
        [keys.map((k) => k.chatId), keys.map((k) => k.waid), sessionId, from, status],
      );
      return rows
        .sort((a, b) => Number(a.position) - Number(b.position))
        .map((row) => ({ message: toMessage(row), previous: row.previousStatus as MessageStatus }));
    },
  };
  return repo;
}
