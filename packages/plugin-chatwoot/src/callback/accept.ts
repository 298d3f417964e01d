import { randomBytes } from 'node:crypto';
import { type Callback, parseCallback } from './payload.js';
import { type CallbackHeaders, verifyCallback } from './verify.js';

/** What a session's callback is checked against (null: the session has no bridge). */
export interface CallbackKeys {
  /** The inbox's signing secret (from the settings, or read from the inbox the bridge made). */
  secret: string | null;
  /** The token in the session's callback URL. */
  token: string | null;
}

/** The verdict on one callback request. */
export type CallbackCheckResult =
  | { accepted: false; reason: string }
  | { accepted: true; deliveryId: string | null; callback: Callback };

// Compared against when a session has no token, so a missing bridge costs the same time.
const nobody = randomBytes(32).toString('base64url');

/**
 * Checks a callback (signature or URL token) and reads it. A request that proves nothing is
 * refused; a proven one is always accepted, even when its body is not a callback the bridge
 * acts on (Chatwoot marks an API-channel message failed when its webhook is answered 4xx/5xx).
 */
export function checkCallback(
  keys: CallbackKeys | null,
  request: { token: string | undefined; rawBody: Buffer; headers: CallbackHeaders },
  toleranceMs: number,
): CallbackCheckResult {
  const verdict = verifyCallback({
    secret: keys?.secret ?? null,
    expectedToken: keys?.token ?? nobody,
    givenToken: keys ? request.token : undefined,
    rawBody: request.rawBody,
    headers: request.headers,
    toleranceMs,
  });
  if (!verdict.ok)
    return { accepted: false, reason: keys ? verdict.reason : 'the session has no Chatwoot bridge' };
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody.toString('utf8'));
  } catch {
    return {
      accepted: true,
      deliveryId: verdict.deliveryId,
      callback: { kind: 'ignored', event: '(not JSON)' },
    };
  }
  return { accepted: true, deliveryId: verdict.deliveryId, callback: parseCallback(body) };
}
