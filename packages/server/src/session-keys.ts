import type { Store } from '@zapgate/core';

/** How long a resolved session key is trusted without asking the store again. */
export const sessionKeyTtlMs = 5000;
/** Keys remembered at most (the oldest are forgotten first). */
const maxKeys = 10_000;

/**
 * Session API keys resolved to their session, remembered for {@link sessionKeyTtlMs}: a busy
 * client's every request would otherwise start with a query. Rotating a key or deleting a
 * session through this server forgets its keys at once; done on another node (or straight in
 * the store), the old key keeps working here for at most the TTL. Unknown keys are never
 * remembered (guessing cannot fill the memory).
 */
export interface SessionKeys {
  /** The session id a key hash belongs to, or `null`. */
  sessionOf(keyHash: string): Promise<string | null>;
  /** Forgets every remembered key of a session (after a rotation or a delete). */
  forget(sessionId: string): void;
}

export function sessionKeys(store: Store, ttlMs = sessionKeyTtlMs): SessionKeys {
  const known = new Map<string, { sessionId: string; expiresAt: number }>();
  // a lookup that overlapped a forget may have read the old key: it is not remembered
  let forgets = 0;
  return {
    async sessionOf(keyHash) {
      const hit = known.get(keyHash);
      if (hit && hit.expiresAt > Date.now()) return hit.sessionId;
      known.delete(keyHash);
      const before = forgets;
      const session = await store.sessions.getByApiKeyHash(keyHash);
      if (!session) return null;
      if (before !== forgets) return session.id;
      known.set(keyHash, { sessionId: session.id, expiresAt: Date.now() + ttlMs });
      if (known.size > maxKeys) known.delete(known.keys().next().value as string);
      return session.id;
    },
    forget(sessionId) {
      forgets++;
      for (const [hash, entry] of known) if (entry.sessionId === sessionId) known.delete(hash);
    },
  };
}
