import type { Chat, ChatInput, ChatListFilter, ChatRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { ChatModel } from '../models/index.js';
import { decodeCursor, encodeCursor, isoOrNull, isUuid, pageSize, pick } from './convert.js';
import { upsertRow, upsertRows } from './upsert.js';

const jsonColumns = new Set(['metadata']);
const inputColumns = [
  'chatName',
  'phoneNumber',
  'isGroup',
  'lastMsgAt',
  'unreadCount',
  'isArchived',
  'isPinned',
  'mutedUntil',
  'metadata',
] as const;
// Most recent activity first; never-messaged chats last, then by jid
const activity = `coalesce("lastMsgAt", '-infinity')`;

function toChat(row: ChatModel): Chat {
  return {
    sessionId: row.sessionId,
    chatJid: row.chatJid,
    chatName: row.chatName,
    phoneNumber: row.phoneNumber,
    isGroup: row.isGroup,
    lastMsgAt: isoOrNull(row.lastMsgAt),
    unreadCount: row.unreadCount,
    isArchived: row.isArchived,
    isPinned: row.isPinned,
    mutedUntil: isoOrNull(row.mutedUntil),
    metadata: row.metadata ?? {},
  };
}

/** Chats on `db` (the pool or a transaction). */
export function chatRepo(db: Knex): ChatRepo {
  return {
    async upsertMany(inputs) {
      const rows = await upsertRows<ChatModel>(
        db,
        'chats',
        ['sessionId', 'chatJid'],
        inputs.map((input) => ({
          ...pick(input, inputColumns),
          sessionId: input.sessionId,
          chatJid: input.chatJid,
        })),
        jsonColumns,
      );
      return rows.map(toChat);
    },
    async upsert(sessionId, input: ChatInput) {
      const row = await upsertRow<ChatModel>(
        db,
        'chats',
        ['sessionId', 'chatJid'],
        { ...pick(input, inputColumns), sessionId, chatJid: input.chatJid },
        jsonColumns,
      );
      return toChat(row);
    },
    async get(sessionId, chatJid) {
      if (!isUuid(sessionId)) return null;
      const row = await ChatModel.query(db).findById([sessionId, chatJid]);
      return row ? toChat(row) : null;
    },
    async list(sessionId, filter: ChatListFilter = {}) {
      if (!isUuid(sessionId)) return { items: [], nextCursor: null };
      const limit = pageSize(filter.limit);
      const q = ChatModel.query(db).where('sessionId', sessionId);
      if (filter.archived !== undefined) q.where('isArchived', filter.archived);
      if (filter.isGroup !== undefined) q.where('isGroup', filter.isGroup);
      if (filter.unread !== undefined) q.where('unreadCount', filter.unread ? '>' : '=', 0);
      if (filter.cursor) {
        const [at, jid] = decodeCursor(
          filter.cursor,
          (p) => p.length === 2 && (p[0] === null || typeof p[0] === 'string') && typeof p[1] === 'string',
        ) as [string | null, string];
        q.whereRaw(
          `(${activity} < ?::timestamptz OR (${activity} = ?::timestamptz AND "chatJid" COLLATE "C" > ?))`,
          [at ?? '-infinity', at ?? '-infinity', jid],
        );
      }
      const rows = await q.orderByRaw(`${activity} DESC, "chatJid" COLLATE "C" ASC`).limit(limit + 1);
      const items = rows.slice(0, limit).map(toChat);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > limit && last ? encodeCursor([last.lastMsgAt, last.chatJid]) : null,
      };
    },
    async delete(sessionId, chatJid) {
      if (!isUuid(sessionId)) return false;
      // RETURNING rather than the row count, which knex-pglite does not report for deletes
      const rows = await db('chats').where({ sessionId, chatJid }).delete().returning('chatJid');
      return rows.length > 0;
    },
  };
}
