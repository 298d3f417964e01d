import type { Session } from '../../contracts/session.js';
import { GatewayError } from '../../errors.js';
import type { SessionRepo } from '../../ports/store.js';
import { copy, type Views } from './state.js';

const nameTaken = (name: string) =>
  new GatewayError('SESSION_NAME_TAKEN', `A session named "${name}" exists`);

let created = 0;

/** Sessions over one unit of work. */
export function sessionRepo(views: Views): SessionRepo {
  const find = (match: (row: { session: Session; apiKeyHash: string | null }) => boolean) => {
    const row = views.sessions.values().find(match);
    return row ? copy(row.session) : null;
  };
  const repo: SessionRepo = {
    async create(input) {
      if (find((r) => r.session.name === input.name)) throw nameTaken(input.name);
      const id = input.id ?? crypto.randomUUID();
      if (views.sessions.get(id)) throw new GatewayError('STORE_FAILED', `A session with id ${id} exists`);
      const now = new Date().toISOString();
      const session: Session = {
        id,
        name: input.name,
        status: 'disconnected',
        statusReason: null,
        deviceJid: null,
        phoneNumber: null,
        pushName: null,
        proxyUrl: input.proxyUrl ?? null,
        settings: copy(input.settings),
        qr: null,
        createdAt: now,
        updatedAt: now,
      };
      views.sessions.set(id, { session, apiKeyHash: input.apiKeyHash ?? null, order: ++created });
      return copy(session);
    },
    get: async (id) => copy(views.sessions.get(id)?.session ?? null),
    getByName: async (name) => find((r) => r.session.name === name),
    getByApiKeyHash: async (hash) => find((r) => r.apiKeyHash === hash),
    async list(filter = {}) {
      return views.sessions
        .values()
        .filter((r) => !filter.status || filter.status.includes(r.session.status))
        .sort((a, b) => a.order - b.order)
        .map((r) => copy(r.session));
    },
    async reassignStatus(from, to, reason, sessionIds) {
      const moved: Session[] = [];
      for (const row of views.sessions.values()) {
        if (row.session.status === from && (!sessionIds || sessionIds.includes(row.session.id)))
          moved.push(await repo.update(row.session.id, { status: to, statusReason: reason }));
      }
      return moved;
    },
    async update(id, update) {
      const row = views.sessions.get(id);
      if (!row) throw new GatewayError('SESSION_NOT_FOUND', `No session ${id}`);
      if (
        update.name !== undefined &&
        update.name !== row.session.name &&
        find((r) => r.session.name === update.name)
      ) {
        throw nameTaken(update.name);
      }
      const { apiKeyHash, ...fields } = update;
      const session = { ...row.session };
      for (const [field, value] of Object.entries(fields)) {
        if (value !== undefined) (session as Record<string, unknown>)[field] = copy(value);
      }
      // never goes back, even if the clock does
      session.updatedAt = new Date(Math.max(Date.now(), Date.parse(row.session.updatedAt))).toISOString();
      views.sessions.set(id, {
        ...row,
        session,
        apiKeyHash: apiKeyHash === undefined ? row.apiKeyHash : apiKeyHash,
      });
      return copy(session);
    },
    async delete(id, options = {}) {
      if (!views.sessions.delete(id)) return false;
      const prefix = `${id}\u0000`;
      for (const [k] of views.creds.entries()) if (k === id) views.creds.delete(k);
      for (const [k] of views.keys.entries()) if (k.startsWith(prefix)) views.keys.delete(k);
      for (const [k] of views.pluginSettings.entries())
        if (k.startsWith(prefix)) views.pluginSettings.delete(k);
      if (!options.keepData) {
        for (const [k] of views.chats.entries()) if (k.startsWith(prefix)) views.chats.delete(k);
        for (const [k] of views.contacts.entries()) if (k.startsWith(prefix)) views.contacts.delete(k);
        for (const [k, row] of views.messages.entries()) {
          if (row.message.sessionId === id) views.messages.delete(k);
        }
        for (const [k] of views.waids.entries()) if (k.startsWith(prefix)) views.waids.delete(k);
        for (const [k] of views.idempotencyKeys.entries()) {
          if (k.startsWith(prefix)) views.idempotencyKeys.delete(k);
        }
      }
      return true;
    },
  };
  return repo;
}
