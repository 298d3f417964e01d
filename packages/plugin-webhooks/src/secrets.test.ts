import { describe, expect, it } from 'vitest';
import { assertValidSecret, generateSecret, SecretBox } from './secrets.js';

describe('secrets', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
    expect(() => assertValidSecret(secret)).not.toThrow();
  });

  it('rejects malformed or weak secrets', () => {
    for (const bad of [
      'secret',
      'whsec_',
      'whsec_abc',
      `whsec_${Buffer.alloc(16).toString('base64')}`,
      'whsec_!!!!',
    ]) {
      expect(() => assertValidSecret(bad)).toThrow(
        expect.objectContaining({ code: 'WEBHOOKS_INVALID_SECRET' }),
      );
    }
  });

  it('seals with AES-256-GCM when a key is configured and opens what it sealed', () => {
    const box = new SecretBox('a-very-long-encryption-key-of-32-chars!');
    const secret = generateSecret();
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret)).not.toBe(sealed);
    expect(box.open(sealed)).toBe(secret);
    expect(box.open(secret)).toBe(secret);
  });

  it('refuses tampered values and values sealed under another key', () => {
    const box = new SecretBox('a-very-long-encryption-key-of-32-chars!');
    const sealed = box.seal(generateSecret());
    const raw = Buffer.from(sealed.slice(7), 'base64');
    raw[raw.length - 1] = (raw.at(-1) ?? 0) ^ 1;
    expect(() => box.open(`enc:v1:${raw.toString('base64')}`)).toThrow();
    expect(() => new SecretBox('another-key-of-at-least-32-characters').open(sealed)).toThrow();
  });

  it('stores plain without a key, and cannot open sealed values without one', () => {
    const plain = new SecretBox(undefined);
    const secret = generateSecret();
    expect(plain.seal(secret)).toBe(secret);
    const sealed = new SecretBox('a-very-long-encryption-key-of-32-chars!').seal(secret);
    expect(() => plain.open(sealed)).toThrow(
      expect.objectContaining({ code: 'WEBHOOKS_ENCRYPTION_KEY_MISSING' }),
    );
  });
});
