import { describe, expect, it } from 'vitest';
import { assertValidSecret, generateSecret } from './secrets.js';

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
});
