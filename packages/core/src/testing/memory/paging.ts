import { GatewayError } from '../../errors.js';

/** Encodes a keyset cursor (opaque to clients). */
export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; anything else is `INVALID_CURSOR`. */
export function decodeCursor(cursor: string, check: (parts: unknown[]) => boolean): unknown[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || !check(parts)) {
    throw new GatewayError('INVALID_CURSOR', 'The cursor is not one this list returned');
  }
  return parts;
}

/** A page size within bounds (same bounds as the Postgres store). */
export function pageSize(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

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
