import { isStatusAdvance, type Message, type NewMessage } from '../../contracts/message.js';
import { GatewayError } from '../../errors.js';
import type { MessageRepo } from '../../ports/store.js';
import { compareText, decodeCursor, iso, page } from './paging.js';
import { copy, key, type MessageRow, type Views } from './state.js';

const notFound = (id: string) => new GatewayError('MESSAGE_NOT_FOUND', `No message ${id}`);

/** Newest first; equal timestamps by id, descending (as the Postgres store orders them). */
const newestFirst = (a: Message, b: Message) =>
  compareText(b.timestamp, a.timestamp) || compareText(b.id.toLowerCase(), a.id.toLowerCase());

/** Messages over one unit of work. */
export function messageRepo(views: Views): MessageRepo {
  const byKey = (index: 'waids' | 'idempotencyKeys', k: string): Message | null => {
    const id = views[index].get(k);
    const row = id === undefined ? undefined : views.messages.get(id);
    return row ? copy(row.message) : null;
  };
  const save = (row: MessageRow) => {
    const m = row.message;
    views.messages.set(m.id, row);
    views.waids.set(key(m.sessionId, m.chatId, m.waid), m.id);
    if (row.idempotencyKey) views.idempotencyKeys.set(key(m.sessionId, row.idempotencyKey), m.id);
  };

  const repo: MessageRepo = {
    async insertMany(inputs) {
      const inserted: Message[] = [];
      for (const input of inputs) {
        const result = await repo.insert(input);
        if (result.inserted) inserted.push(result.message);
      }
      return inserted;
    },
    async insert(input: NewMessage) {
      const existing =
        byKey('waids', key(input.sessionId, input.chatId, input.waid)) ??
        (input.idempotencyKey
          ? byKey('idempotencyKeys', key(input.sessionId, input.idempotencyKey))
          : null) ??
        (input.id && views.messages.get(input.id) ? copy(views.messages.get(input.id)!.message) : null);
      if (existing) return { message: existing, inserted: false };
      const { idempotencyKey, requestHash, ...fields } = copy(input);
      const message = {
        ...fields,
        id: input.id ?? crypto.randomUUID(),
        mediaInfo: fields.mediaInfo ?? null,
        senderJid: fields.senderJid ?? null,
        senderName: fields.senderName ?? null,
        quotedMsgId: fields.quotedMsgId ?? null,
        origin: fields.origin !== undefined ? fields.origin : fields.isFromMe ? 'phone' : null,
        status: fields.status ?? (fields.isFromMe ? 'sent' : 'delivered'),
        timestamp: iso(fields.timestamp),
        metadata: fields.metadata ?? {},
      } as Message;
      save({ message, idempotencyKey: idempotencyKey ?? null, requestHash: requestHash ?? null });
      return { message: copy(message), inserted: true };
    },
    get: async (sessionId, id) => {
      const row = views.messages.get(id);
      return row && row.message.sessionId === sessionId ? copy(row.message) : null;
    },
    getByWaid: async (sessionId, chatId, waid) => byKey('waids', key(sessionId, chatId, waid)),
    getByIdempotencyKey: async (sessionId, k) => {
      const message = byKey('idempotencyKeys', key(sessionId, k));
      return message && { message, requestHash: views.messages.get(message.id)?.requestHash ?? null };
    },
    async list(sessionId, filter = {}) {
      const since = filter.since === undefined ? undefined : iso(filter.since);
      const until = filter.until === undefined ? undefined : iso(filter.until);
      let messages = views.messages
        .values()
        .map((r) => r.message)
        .filter(
          (m) =>
            m.sessionId === sessionId &&
            (filter.chatId === undefined || m.chatId === filter.chatId) &&
            (filter.msgType === undefined || m.msgType === filter.msgType) &&
            (filter.isFromMe === undefined || m.isFromMe === filter.isFromMe) &&
            (filter.status === undefined || m.status === filter.status) &&
            (since === undefined || m.timestamp >= since) &&
            (until === undefined || m.timestamp < until),
        );
      if (filter.cursor) {
        const [timestamp, id] = decodeCursor(
          filter.cursor,
          (p) => p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
        ) as [string, string];
        const after = { timestamp, id } as Message;
        messages = messages.filter((m) => newestFirst(after, m) < 0);
      }
      return page(messages.sort(newestFirst), filter.limit, (m) => [m.timestamp, m.id]);
    },
    async update(sessionId, id, update) {
      const row = views.messages.get(id);
      if (!row || row.message.sessionId !== sessionId) throw notFound(id);
      const message = { ...row.message } as Record<string, unknown>;
      for (const [field, value] of Object.entries(update)) {
        if (value !== undefined) message[field] = copy(value);
      }
      const next = { ...row, message: message as Message };
      next.message.timestamp = iso(next.message.timestamp);
      if (next.message.waid !== row.message.waid) {
        views.waids.delete(key(sessionId, row.message.chatId, row.message.waid));
      }
      save(next);
      return copy(next.message);
    },
    async failPending(error, sessionIds) {
      const failed: Message[] = [];
      for (const row of views.messages.values()) {
        if (row.message.status !== 'pending' || !row.message.isFromMe) continue;
        if (sessionIds && !sessionIds.includes(row.message.sessionId)) continue;
        const message = {
          ...row.message,
          status: 'failed' as const,
          metadata: { ...row.message.metadata, error },
        };
        save({ ...row, message });
        failed.push(copy(message));
      }
      return failed;
    },
    async advanceStatus(sessionId, chatId, waid, status) {
      const id = views.waids.get(key(sessionId, chatId, waid));
      const row = id === undefined ? undefined : views.messages.get(id);
      if (!row || !isStatusAdvance(row.message.status, status)) return null;
      const message = { ...row.message, status };
      save({ ...row, message });
      return { message: copy(message), previous: row.message.status };
    },
    async advanceStatusMany(sessionId, keys, status) {
      const moved = [];
      for (const { chatId, waid } of keys) {
        const one = await repo.advanceStatus(sessionId, chatId, waid, status);
        if (one) moved.push(one);
      }
      return moved;
    },
  };
  return repo;
}
