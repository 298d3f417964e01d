import { decodeCursor, encodeCursor, pageSize } from '../../paging.js';

export { decodeCursor, encodeCursor, pageSize };

/** Sorted rows cut to a page (copied), with the cursor of the last row when more follow. */
export function page<T>(
  sorted: T[],
  limit: number | undefined,
  cursorOf: (item: T) => unknown[],
): { items: T[]; nextCursor: string | null } {
  const size = pageSize(limit);
  const items = structuredClone(sorted.slice(0, size));
  const last = items.at(-1);
  return { items, nextCursor: sorted.length > size && last ? encodeCursor(cursorOf(last)) : null };
}

/** Plain string order (like `COLLATE "C"`). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A timestamp normalised to `toISOString()`, as a database would return it. */
export const iso = (value: string): string => new Date(value).toISOString();
export const isoOrNull = (value: string | null | undefined): string | null =>
  value == null ? null : iso(value);
