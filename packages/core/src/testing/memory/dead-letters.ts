import type { DeadLetter } from '../../contracts/dead-letter.js';
import type { DeadLetterRepo } from '../../ports/store.js';
import { decodeCursor, page } from './paging.js';
import { copy, type Views } from './state.js';

/** Newest first; ties by id (descending), like the SQL store. */
const newestFirst = (a: DeadLetter, b: DeadLetter) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1;

/** Dead letters over one unit of work. */
export function deadLetterRepo(views: Views): DeadLetterRepo {
  return {
    async add(input) {
      const row: DeadLetter = copy({
        ...input,
        id: crypto.randomUUID(),
        createdAt: new Date().toISOString(),
      });
      views.deadLetters.set(row.id, row);
      return copy(row);
    },
    get: async (id) => copy(views.deadLetters.get(id) ?? null),
    async list(filter = {}) {
      let rows = views.deadLetters
        .values()
        .filter(
          (d) =>
            (filter.kind === undefined || d.kind === filter.kind) &&
            (filter.pluginId === undefined || d.pluginId === filter.pluginId) &&
            (filter.sessionId === undefined || d.sessionId === filter.sessionId),
        )
        .sort(newestFirst);
      if (filter.cursor) {
        const [at, id] = decodeCursor(
          filter.cursor,
          (p) => p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string',
        ) as [string, string];
        rows = rows.filter((d) => d.createdAt < at || (d.createdAt === at && d.id < id));
      }
      return page(rows, filter.limit, (d) => [d.createdAt, d.id]);
    },
    delete: async (id) => views.deadLetters.delete(id),
    async counts() {
      const counts = new Map<string, { pluginId: string; kind: DeadLetter['kind']; count: number }>();
      for (const d of views.deadLetters.values()) {
        const k = `${d.pluginId}\u0000${d.kind}`;
        const entry = counts.get(k) ?? { pluginId: d.pluginId, kind: d.kind, count: 0 };
        entry.count++;
        counts.set(k, entry);
      }
      return [...counts.values()];
    },
  };
}
