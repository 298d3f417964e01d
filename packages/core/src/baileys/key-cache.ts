import type { CacheStore } from '@whiskeysockets/baileys';

/** Limits of {@link signalKeyCache}. */
export interface SignalKeyCacheLimits {
  /** Keys held at most (the least recently used go first). */
  maxKeys: number;
  /** How long a key stays unread and unwritten. */
  ttlMs: number;
}

/**
 * The cache in front of a session's Signal keys (Baileys' `makeCacheableSignalKeyStore`):
 * bounded in entries (least recently used first out) and time, where Baileys' default keeps
 * every key read or written for five minutes — among them the 812 pre-keys uploaded at
 * pairing, about a third of an idle session's memory, which are read once each at most (when
 * a new contact starts a session) and stay in the store. Pre-keys are therefore not cached.
 */
export function signalKeyCache({ maxKeys, ttlMs }: SignalKeyCacheLimits): CacheStore {
  const entries = new Map<string, { value: unknown; until: number }>();
  return {
    get<T>(key: string) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      const now = Date.now();
      if (entry.until < now) return undefined;
      entry.until = now + ttlMs;
      entries.set(key, entry);
      return entry.value as T;
    },
    set(key, value) {
      if (key.startsWith('pre-key.')) return;
      entries.delete(key);
      entries.set(key, { value, until: Date.now() + ttlMs });
      if (entries.size > maxKeys) entries.delete(entries.keys().next().value as string);
    },
    del(key) {
      entries.delete(key);
    },
    flushAll() {
      entries.clear();
    },
  };
}
