import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { webhooksError } from './error-codes.js';

const prefix = 'whsec_';
const sealedPrefix = 'enc:v1:';

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

/**
 * Seals secrets at rest with AES-256-GCM under a key derived (HKDF-SHA256) from the host's
 * `encryptionKey`; without a key, secrets are stored as given. Sealed values carry a prefix,
 * so values stored before a key was configured still open.
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(encryptionKey: string | undefined) {
    this.key = encryptionKey
      ? Buffer.from(hkdfSync('sha256', encryptionKey, 'zapgate', 'plugin-webhooks:secrets', 32))
      : null;
  }

  /** The value to store for `secret`. */
  seal(secret: string): string {
    if (!this.key) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${sealedPrefix}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  /** The secret a stored value holds. */
  open(stored: string): string {
    if (!stored.startsWith(sealedPrefix)) return stored;
    if (!this.key) {
      throw webhooksError(
        'WEBHOOKS_ENCRYPTION_KEY_MISSING',
        'Webhook secrets are encrypted but no encryptionKey is configured',
      );
    }
    const raw = Buffer.from(stored.slice(sealedPrefix.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
