import { sqlValues } from '@zapgate/core';

/** Timestamps as core's ISO strings and jsonb parameters: core's one set of row converters. */
export const { iso, isoOrNull, json } = sqlValues;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a value a `uuid` column accepts; other ids simply match nothing. */
export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}

export { decodeCursor, encodeCursor, pageSize } from '@zapgate/core';

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
