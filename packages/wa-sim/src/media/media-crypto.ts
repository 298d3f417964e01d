import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { hkdfInfoKey, type MediaType } from '@whiskeysockets/baileys';

/** Media kinds a simulated contact can send. */
export type SimMediaKind = 'image' | 'video' | 'audio' | 'document' | 'sticker';

/** Result of WhatsApp media encryption. */
export interface EncryptedMedia {
  mediaKey: Buffer;
  /** AES-CBC ciphertext followed by the 10-byte HMAC: what the media server stores. */
  encrypted: Buffer;
  fileSha256: Buffer;
  fileEncSha256: Buffer;
  fileLength: number;
}

const expandKey = (mediaKey: Uint8Array, kind: MediaType) => {
  const expanded = Buffer.from(hkdfSync('sha256', mediaKey, Buffer.alloc(32), hkdfInfoKey(kind), 112));
  return {
    iv: expanded.subarray(0, 16),
    cipherKey: expanded.subarray(16, 48),
    macKey: expanded.subarray(48, 80),
  };
};

/** Encrypts `plaintext` the way WhatsApp clients do (HKDF → AES-256-CBC + truncated HMAC). */
export const encryptMedia = (
  plaintext: Uint8Array,
  kind: MediaType,
  mediaKey = randomBytes(32),
): EncryptedMedia => {
  const { iv, cipherKey, macKey } = expandKey(mediaKey, kind);
  const cipher = createCipheriv('aes-256-cbc', cipherKey, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const mac = createHmac('sha256', macKey).update(iv).update(body).digest().subarray(0, 10);
  const encrypted = Buffer.concat([body, mac]);
  return {
    mediaKey,
    encrypted,
    fileSha256: createHash('sha256').update(plaintext).digest(),
    fileEncSha256: createHash('sha256').update(encrypted).digest(),
    fileLength: plaintext.length,
  };
};

/** Verifies the HMAC and decrypts an encrypted media blob; throws when the MAC is wrong. */
export const decryptMedia = (encrypted: Uint8Array, mediaKey: Uint8Array, kind: MediaType): Buffer => {
  const { iv, cipherKey, macKey } = expandKey(mediaKey, kind);
  const body = encrypted.subarray(0, -10);
  const mac = createHmac('sha256', macKey).update(iv).update(body).digest().subarray(0, 10);
  if (!mac.equals(Buffer.from(encrypted.subarray(-10)))) throw new Error('media MAC mismatch');
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  return Buffer.concat([decipher.update(body), decipher.final()]);
};

/** SHA-256 in the unpadded base64url form used in upload paths. */
export const encSha256Token = (data: Uint8Array): string =>
  createHash('sha256')
    .update(data)
    .digest('base64')
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
