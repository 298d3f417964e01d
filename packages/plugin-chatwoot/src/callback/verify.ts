import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a Chatwoot webhook request (lower-case names). */
export type CallbackHeaders = Record<string, string | string[] | undefined>;

/** The outcome of checking a callback: who proved it, or why it is refused. */
export type CallbackVerdict =
  | { ok: true; via: 'signature' | 'token'; deliveryId: string | null }
  | { ok: false; reason: string };

/** What a callback is checked against. */
export interface CallbackCheck {
  /** The inbox's webhook signing secret; when set, only signed requests pass. */
  secret: string | null;
  /** The per-session token in the callback URL (checked when there is no secret). */
  expectedToken: string;
  /** The token the request's URL carries. */
  givenToken: string | undefined;
  rawBody: Buffer;
  headers: CallbackHeaders;
  /** How far `X-Chatwoot-Timestamp` may be from now. @default 300000 (5 minutes) */
  toleranceMs?: number;
  now?: number;
}

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Compares two secrets in constant time (hashing first, so lengths do not leak either). */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Checks that a callback comes from the session's inbox. With a secret: Chatwoot's
 * `X-Chatwoot-Signature` (`sha256=` + hex HMAC-SHA256 of `"<X-Chatwoot-Timestamp>.<raw body>"`),
 * compared in constant time, with the timestamp within the tolerance (a captured request
 * cannot be replayed later). Without one: the long random token in the callback URL.
 * `deliveryId` (`X-Chatwoot-Delivery`) is what duplicates are recognised by.
 */
export function verifyCallback(check: CallbackCheck): CallbackVerdict {
  const deliveryId = one(check.headers['x-chatwoot-delivery']) ?? null;
  if (!check.secret) {
    if (!check.givenToken || !secretsEqual(check.givenToken, check.expectedToken)) {
      return { ok: false, reason: 'the callback URL token is missing or wrong' };
    }
    return { ok: true, via: 'token', deliveryId };
  }
  const signature = one(check.headers['x-chatwoot-signature']);
  const timestamp = one(check.headers['x-chatwoot-timestamp']);
  if (!signature) return { ok: false, reason: 'X-Chatwoot-Signature is missing' };
  const hex = /^sha256=([0-9a-f]{64})$/i.exec(signature.trim())?.[1];
  if (!hex) return { ok: false, reason: 'X-Chatwoot-Signature is not sha256=<64 hex digits>' };
  if (!timestamp || !/^\d{1,12}$/.test(timestamp.trim())) {
    return { ok: false, reason: 'X-Chatwoot-Timestamp is missing or not unix seconds' };
  }
  const skew = Math.abs((check.now ?? Date.now()) - Number(timestamp) * 1000);
  if (skew > (check.toleranceMs ?? 300_000)) {
    return { ok: false, reason: `X-Chatwoot-Timestamp is ${Math.round(skew / 1000)} s away from now` };
  }
  const expected = createHmac('sha256', check.secret)
    .update(`${timestamp.trim()}.`)
    .update(check.rawBody)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
    return { ok: false, reason: 'X-Chatwoot-Signature does not match the body' };
  }
  return { ok: true, via: 'signature', deliveryId };
}
