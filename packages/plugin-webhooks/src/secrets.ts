import { randomBytes } from 'node:crypto';
import { webhooksError } from './error-codes.js';

const prefix = 'whsec_';

/** A new Standard Webhooks secret: `whsec_` + 32 random bytes in base64. */
export function generateSecret(): string {
  return prefix + randomBytes(32).toString('base64');
}

/** Checks a caller-given secret: `whsec_` + base64 of 24 to 64 bytes. */
export function assertValidSecret(secret: string): void {
  const body = secret.startsWith(prefix) ? secret.slice(prefix.length) : '';
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? Buffer.from(body, 'base64').length : 0;
  if (bytes < 24 || bytes > 64) {
    throw webhooksError(
      'WEBHOOKS_INVALID_SECRET',
      'A secret must be "whsec_" followed by 24 to 64 bytes in base64; omit it to have one generated',
    );
  }
}

/** Key derivation purpose of sealed webhook secrets (changing it makes stored ones unreadable). */
export const secretsPurpose = 'plugin-webhooks:secrets';
