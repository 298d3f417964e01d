import type { Contact, ContactInput, ContactRepo } from '@zapgate/core';
import type { Knex } from 'knex';
import { ContactModel } from '../models/index.js';
import { decodeCursor, encodeCursor, iso, isUuid, pageSize, pick } from './convert.js';
import { upsertRow, upsertRows } from './upsert.js';

const noJson = new Set<string>();
const inputColumns = ['lid', 'phoneNumber', 'name', 'pushName', 'isBusiness', 'avatarUrl'] as const;

function toContact(row: ContactModel): Contact {
  return {
    sessionId: row.sessionId,
    jid: row.jid,
    lid: row.lid,
    phoneNumber: row.phoneNumber,
    name: row.name,
    pushName: row.pushName,
    isBusiness: row.isBusiness,
    avatarUrl: row.avatarUrl,
    updatedAt: iso(row.updatedAt),
  };
}

function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Contacts on `db` (the pool or a transaction). */
export function contactRepo(db: Knex): ContactRepo {
  return {
    async upsert(sessionId, input: ContactInput) {
      const values = { ...pick(input, inputColumns), sessionId, jid: input.jid };
      return toContact(await upsertRow<ContactModel>(db, 'contacts', ['sessionId', 'jid'], values, noJson));
    },
    async upsertChanged(sessionId, inputs) {
      const rows = inputs.map((input) => ({ ...pick(input, inputColumns), sessionId, jid: input.jid }));
      const changed: Contact[] = [];
      // a history sync brings thousands: 1,000 rows (8,000 parameters at most) per statement
      for (let i = 0; i < rows.length; i += 1000) {
        const stored = await upsertRows<ContactModel>(
          db,
          'contacts',
          ['sessionId', 'jid'],
          rows.slice(i, i + 1000),
          noJson,
          true,
        );
        changed.push(...stored.map(toContact));
      }
      return changed;
    },
    async get(sessionId, jid) {
      if (!isUuid(sessionId)) return null;
      const row = await ContactModel.query(db).findById([sessionId, jid]);
      return row ? toContact(row) : null;
    },
    async getByLid(sessionId, lid) {
      if (!isUuid(sessionId)) return null;
      // a contact known by its lid beats one whose jid is the lid
      const row = await ContactModel.query(db)
        .where('sessionId', sessionId)
        .where((w) => w.where('lid', lid).orWhere('jid', lid))
        .orderByRaw(`("lid" = ?) DESC NULLS LAST, "jid"`, [lid])
        .first();
      return row ? toContact(row) : null;
    },
    async list(sessionId, filter = {}) {
      if (!isUuid(sessionId)) return { items: [], nextCursor: null };
      const limit = pageSize(filter.limit);
      const q = ContactModel.query(db).where('sessionId', sessionId);
      if (filter.search) {
        const pattern = likePattern(filter.search);
        q.where((w) =>
          w
            .where('name', 'ilike', pattern)
            .orWhere('pushName', 'ilike', pattern)
            .orWhere('phoneNumber', 'ilike', pattern)
            .orWhere('jid', 'ilike', pattern),
        );
      }
      if (filter.cursor) {
        const [jid] = decodeCursor(filter.cursor, (p) => p.length === 1 && typeof p[0] === 'string') as [
          string,
        ];
        q.whereRaw(`"jid" COLLATE "C" > ?`, [jid]);
      }
      const rows = await q.orderByRaw('"jid" COLLATE "C"').limit(limit + 1);
      const items = rows.slice(0, limit).map(toContact);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.jid]) : null };
    },
  };
}
