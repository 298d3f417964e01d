import { randomBytes } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';

/** The element children of a binary node (empty for byte or missing content). */
export const childrenOf = (node: BinaryNode | undefined): BinaryNode[] =>
  Array.isArray(node?.content) ? node.content : [];

/** First child with the given tag. */
export const childOf = (node: BinaryNode | undefined, tag: string): BinaryNode | undefined =>
  childrenOf(node).find((child) => child.tag === tag);

/** Byte content of a node as a Buffer (empty when the node carries none). */
export const bytesOf = (node: BinaryNode | undefined): Buffer => {
  const content = node?.content;
  if (content instanceof Uint8Array) return Buffer.from(content);
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  return Buffer.alloc(0);
};

/** Reads an unsigned big-endian integer of any byte length up to 6. */
export const readUIntBE = (bytes: Uint8Array): number => {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
};

/** Writes `value` as a big-endian unsigned integer of `length` bytes. */
export const writeUIntBE = (value: number, length: number): Buffer => {
  const out = Buffer.alloc(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest & 0xff;
    rest = Math.floor(rest / 256);
  }
  return out;
};

/** Current unix time in seconds, as WhatsApp stanzas carry it. */
export const unixTime = (): string => String(Math.floor(Date.now() / 1000));

/** A fresh stanza / message id in the upper-case hex style WhatsApp uses. */
export const newMessageId = (): string => `3EB0${randomBytes(9).toString('hex').toUpperCase()}`;

/** Prefixes a 32-byte Curve25519 public key with the Signal type byte 0x05. */
export const signalPub = (key: Uint8Array): Buffer =>
  key.length === 33 ? Buffer.from(key) : Buffer.concat([Buffer.from([5]), key]);

/** Strips the Signal type byte from a 33-byte public key. */
export const rawPub = (key: Uint8Array): Buffer =>
  key.length === 33 ? Buffer.from(key.subarray(1)) : Buffer.from(key);

/** Resolves after `ms` milliseconds. */
export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
