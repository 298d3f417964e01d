/**
 * Converters between SQL rows and core's JSON shapes, for stores and for plugins with their
 * own tables. They accept what either driver returns (`pg` and PGlite: a `Date` or a string
 * for a timestamptz, parsed JSON or text for jsonb, a string for a bigint).
 */

/** A timestamptz as an ISO string (`2026-12-01T19:05:05.751Z`). */
export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

/** A nullable timestamptz as an ISO string or `null`. */
export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

/** A jsonb column's value, parsed when the driver returned text. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

// JSON.stringify writes a lone UTF-16 surrogate as a `\udXXX` escape (a paired one is written
// as is), and Postgres refuses such an escape in jsonb. An escape is real only after an even
// run of backslashes.
const loneSurrogateEscape = /(?<=(?:^|[^\\])(?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * A jsonb parameter: always sent as JSON text (cast with `?::jsonb`; pg would turn arrays into
 * Postgres arrays). A lone UTF-16 surrogate, in a value or a key, becomes U+FFFD: text that is
 * not Unicode (a malformed inbound message, a plugin's data) is stored, never refused by the
 * database. The API refuses it earlier (`INVALID_UNICODE`).
 */
export function json(value: unknown): string {
  const text = JSON.stringify(value);
  return text?.includes('\\ud') ? text.replace(loneSurrogateEscape, '\uFFFD') : text;
}

/** A nullable numeric column (bigint arrives as a string) as a number or `null`. */
export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** A nullable text column as a string or `null`. */
export function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}
