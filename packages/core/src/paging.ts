import { GatewayError } from './errors.js';

/**
 * Encodes a keyset cursor (opaque to clients): the sort key of the last row of a page.
 * Stores use it so every list answers cursors the same way.
 */
export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Decodes a cursor made by {@link encodeCursor}; anything else is `INVALID_CURSOR` (a 400). */
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

/** A page size within bounds. */
export function pageSize(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}
