import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GatewayError } from '../errors.js';

const sealedPrefix = 'enc:v1:';

/** Options of {@link SecretBox}. */
export interface SecretBoxOptions {
  /**
   * What the secrets are for, mixed into the key derivation so each use has its own key
   * (e.g. `plugin-webhooks:secrets`). Changing it makes stored values unreadable.
   * @default 'zapgate:secrets'
   */
  purpose?: string;
}

/**
 * Seals secrets at rest with AES-256-GCM under a key derived (HKDF-SHA256) from the host's
 * `encryptionKey` and a purpose; without a key, secrets are stored as given. Sealed values
 * carry a prefix (`enc:v1:`), so values stored before a key was configured still open.
 *
 * @example
 * const box = new SecretBox(ctx.config.encryptionKey, { purpose: 'my-plugin:tokens' });
 * const stored = box.seal(token); // 'enc:v1:…' when a key is configured
 * box.open(stored) === token;
 */
export class SecretBox {
  private readonly key: Buffer | null;

  constructor(encryptionKey: string | undefined, options: SecretBoxOptions = {}) {
    this.key = encryptionKey
      ? Buffer.from(hkdfSync('sha256', encryptionKey, 'zapgate', options.purpose ?? 'zapgate:secrets', 32))
      : null;
  }

  /** True when values are sealed (an encryption key is configured). */
  get sealing(): boolean {
    return this.key !== null;
  }

  /** The value to store for `secret`. */
  seal(secret: string): string {
    if (!this.key) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${sealedPrefix}${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
  }

  /**
   * The secret a stored value holds. Throws `ENCRYPTION_KEY_MISSING` for a sealed value when
   * no key is configured, and `SECRET_UNREADABLE` when it was sealed under another key or
   * changed.
   */
  open(stored: string): string {
    if (!stored.startsWith(sealedPrefix)) return stored;
    if (!this.key) {
      throw new GatewayError(
        'ENCRYPTION_KEY_MISSING',
        'A secret is stored encrypted but no encryptionKey is configured',
      );
    }
    try {
      const raw = Buffer.from(stored.slice(sealedPrefix.length), 'base64');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new GatewayError(
        'SECRET_UNREADABLE',
        'A stored secret cannot be opened: it was sealed under another encryptionKey or changed',
        { cause: error },
      );
    }
  }
}
