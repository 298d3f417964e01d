import { afterEach, describe, expect, it, vi } from 'vitest';
import { signalKeyCache } from './key-cache.js';

describe('signalKeyCache', () => {
  afterEach(() => vi.useRealTimers());

  it('holds at most maxKeys, dropping the least recently used first', () => {
    const cache = signalKeyCache({ maxKeys: 2, ttlMs: 60_000 });
    cache.set('session.a', 1);
    cache.set('session.b', 2);
    expect(cache.get('session.a')).toBe(1); // a is now the most recent
    cache.set('session.c', 3);
    expect(cache.get('session.b')).toBeUndefined();
    expect(cache.get('session.a')).toBe(1);
    expect(cache.get('session.c')).toBe(3);
  });

  it('forgets a key unused for ttlMs (a read keeps it)', () => {
    vi.useFakeTimers();
    const cache = signalKeyCache({ maxKeys: 10, ttlMs: 1000 });
    cache.set('session.a', 1);
    vi.advanceTimersByTime(1000);
    expect(cache.get('session.a')).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(cache.get('session.a')).toBe(1);
    vi.advanceTimersByTime(1001);
    expect(cache.get('session.a')).toBeUndefined();
  });

  it('never holds pre-keys (812 are written at pairing, each read once at most)', () => {
    const cache = signalKeyCache({ maxKeys: 10, ttlMs: 60_000 });
    cache.set('pre-key.1', { public: 'x' });
    cache.set('sender-key.g', 2);
    expect(cache.get('pre-key.1')).toBeUndefined();
    expect(cache.get('sender-key.g')).toBe(2);
    cache.del('sender-key.g');
    expect(cache.get('sender-key.g')).toBeUndefined();
    cache.set('session.a', 1);
    cache.flushAll();
    expect(cache.get('session.a')).toBeUndefined();
  });
});
