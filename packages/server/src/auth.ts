import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError, type RequestAuth, type Store } from '@zapgate/core';
import type { FastifyRequest } from 'fastify';
import type { SessionKeys } from './session-keys.js';

/**
 * Who may call a route. `session`: the admin key or the key of the `:sessionId` in the path;
 * `authenticated`: any valid key (the route checks what a session key may see); `admin`: only
 * the admin key; `public`: no key.
 */
export type RouteAuth = 'admin' | 'session' | 'authenticated' | 'public';

/** Prefix of session API keys, so leaked keys are recognisable by secret scanners. */
export const sessionKeyPrefix = 'zgs_';

/** A new random session API key (`zgs_` + 43 base64url characters, 256 bits). */
export function generateSessionKey(): string {
  return sessionKeyPrefix + randomBytes(32).toString('base64url');
}

/** A new random admin key (`zga_` + 43 base64url characters). */
export function generateAdminKey(): string {
  return `zga_${randomBytes(32).toString('base64url')}`;
}

/** The hex SHA-256 a key is stored and looked up by (keys are never stored as given). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Constant-time equality of two secrets (compares their hashes, so lengths may differ). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The key a request carries: `Authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1]) return match[1].trim();
  }
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey.trim();
  return undefined;
}

/**
 * Resolves the caller of a request, or throws 401/403 according to the route's scope. Session
 * keys are looked up in `keys` when given (remembered briefly), else in the store each time.
 */
export async function authenticate(
  request: FastifyRequest,
  scope: RouteAuth,
  adminKey: string,
  store: Store,
  keys?: SessionKeys,
): Promise<RequestAuth> {
  if (scope === 'public') return { scope: 'public' };
  const key = presentedKey(request);
  if (!key)
    throw new GatewayError(
      'UNAUTHORIZED',
      'Missing API key: send "Authorization: Bearer <key>" or "x-api-key"',
    );
  if (secretsEqual(key, adminKey)) return { scope: 'admin' };
  // Session keys are high-entropy and looked up by their SHA-256, so the lookup leaks nothing useful.
  const sessionId = !key.startsWith(sessionKeyPrefix)
    ? null
    : keys
      ? await keys.sessionOf(hashApiKey(key))
      : ((await store.sessions.getByApiKeyHash(hashApiKey(key)))?.id ?? null);
  if (!sessionId) throw new GatewayError('UNAUTHORIZED', 'Invalid API key');
  if (scope === 'admin') throw new GatewayError('FORBIDDEN', 'This operation needs the admin key');
  if (scope === 'session') {
    const target = (request.params as { sessionId?: string } | undefined)?.sessionId;
    if (target !== sessionId) throw new GatewayError('FORBIDDEN', 'This key does not reach that session');
  }
  return { scope: 'session', sessionId };
}
