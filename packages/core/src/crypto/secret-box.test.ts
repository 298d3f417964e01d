import { describe, expect, it } from 'vitest';
import { SecretBox } from './secret-box.js';

const key = 'a-very-long-encryption-key-of-32-chars!';

describe('SecretBox', () => {
  it('seals with AES-256-GCM when a key is configured and opens what it sealed', () => {
    const box = new SecretBox(key);
    const secret = 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0';
    const sealed = box.seal(secret);
    expect(sealed).toMatch(/^enc:v1:/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret)).not.toBe(sealed);
    expect(box.open(sealed)).toBe(secret);
    expect(box.open(secret)).toBe(secret);
    expect(box.sealing).toBe(true);
  });

  it('refuses tampered values, another key and another purpose', () => {
    const box = new SecretBox(key, { purpose: 'a' });
    const sealed = box.seal('token');
    const raw = Buffer.from(sealed.slice(7), 'base64');
    raw[raw.length - 1] = (raw.at(-1) ?? 0) ^ 1;
    expect(() => box.open(`enc:v1:${raw.toString('base64')}`)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
    expect(() =>
      new SecretBox('another-key-of-at-least-32-characters', { purpose: 'a' }).open(sealed),
    ).toThrow(expect.objectContaining({ code: 'SECRET_UNREADABLE' }));
    expect(() => new SecretBox(key, { purpose: 'b' }).open(sealed)).toThrow(
      expect.objectContaining({ code: 'SECRET_UNREADABLE' }),
    );
  });

  it('stores plain without a key, and cannot open sealed values without one', () => {
    const plain = new SecretBox(undefined);
    expect(plain.sealing).toBe(false);
    expect(plain.seal('token')).toBe('token');
    const sealed = new SecretBox(key).seal('token');
    expect(() => plain.open(sealed)).toThrow(expect.objectContaining({ code: 'ENCRYPTION_KEY_MISSING' }));
  });
});
