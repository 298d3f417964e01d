import { GatewayError } from '@zapgate/core';

/** A timestamptz as core's ISO string. */
export function iso(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** A nullable timestamptz as an ISO string or `null`. */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  return value == null ? null : iso(value);
}

/** A jsonb parameter: always sent as JSON text (pg would turn arrays into Postgres arrays). */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a value a `uuid` column accepts; other ids simply match nothing. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

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

/** A page size within bounds. */
export function pageSize(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.min(Math.max(Math.trunc(limit), 1), max);
}

/** True for a Postgres unique violation, optionally on a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** The listed keys of `input` that are not `undefined` (inputs may carry extra fields). */
export function pick<T extends object, K extends keyof T>(input: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (input[key] !== undefined) out[key] = input[key];
  return out;
}
