import { matchesEventPattern, type StoredEvent } from '../../contracts/events.js';
import type { AuthRepo } from '../../ports/auth.js';
import type { EventLogRepo } from '../../ports/store.js';
import { iso } from './paging.js';
import { copy, key, type Views } from './state.js';

/** The event log over one unit of work: appends stay pending until it commits. */
export function eventLogRepo(views: Views): EventLogRepo {
  return {
    async append(event) {
      const stored = copy({ ...event, occurredAt: iso(event.occurredAt) });
      views.pendingEvents.push(stored as Omit<StoredEvent, 'seq'>);
      return copy(stored);
    },
    async appendMany(events) {
      for (const event of events) {
        views.pendingEvents.push(
          copy({ ...event, occurredAt: iso(event.occurredAt) }) as Omit<StoredEvent, 'seq'>,
        );
      }
    },
    async list(filter) {
      const types = filter.types && !filter.types.includes('*') ? filter.types : undefined;
      const out: StoredEvent[] = [];
      const limit = Math.max(1, filter.limit);
      const events = filter.newestFirst ? [...views.events()].reverse() : views.events();
      for (const event of events) {
        if (out.length >= limit) break;
        if (event.seq <= filter.afterSeq) continue;
        if (filter.beforeSeq !== undefined && event.seq >= filter.beforeSeq) continue;
        if (filter.sessionId !== undefined && event.sessionId !== filter.sessionId) continue;
        if (types && !types.some((t) => matchesEventPattern(t, event.type))) continue;
        out.push(event);
      }
      return copy(out);
    },
    get: async (id) => copy(views.events().find((e) => e.id === id) ?? null),
    head: async () => views.events().at(-1)?.seq ?? 0,
    async prune(olderThan, limit) {
      let bound = Number.POSITIVE_INFINITY;
      for (const row of views.state.cursors.values()) {
        bound = Math.min(bound, row.position, ...row.parked.values());
      }
      const before = Date.parse(olderThan);
      const events = views.state.events;
      let n = 0;
      for (let i = 0; i < events.length && n < limit; ) {
        const event = events[i] as StoredEvent;
        if (event.seq > bound) break;
        if (Date.parse(event.occurredAt) < before) {
          events.splice(i, 1);
          n++;
        } else i++;
      }
      return n;
    },
  };
}

/** Creds and Signal keys over one unit of work. */
export function authRepo(views: Views): AuthRepo {
  return {
    getCreds: async (sessionId) => copy(views.creds.get(sessionId) ?? null),
    async setCreds(sessionId, creds) {
      views.creds.set(sessionId, copy(creds));
    },
    async getKeys(sessionId, type, ids) {
      const out: Record<string, unknown> = Object.create(null);
      for (const id of ids) {
        const value = views.keys.get(key(sessionId, type, id));
        if (value !== undefined) out[id] = copy(value);
      }
      return out;
    },
    async setKeys(sessionId, data) {
      for (const [type, values] of Object.entries(data)) {
        for (const [id, value] of Object.entries(values)) {
          const k = key(sessionId, type, id);
          if (value === null || value === undefined) views.keys.delete(k);
          else views.keys.set(k, copy(value));
        }
      }
    },
    async clear(sessionId) {
      views.creds.delete(sessionId);
      const prefix = `${sessionId}\u0000`;
      for (const [k] of views.keys.entries()) if (k.startsWith(prefix)) views.keys.delete(k);
    },
  };
}
