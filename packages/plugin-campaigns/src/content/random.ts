import { createHash } from 'node:crypto';

/**
 * A deterministic source of numbers in [0, 1) for a seed: the n-th call hashes `seed:n`
 * (SHA-256). The same campaign, recipient and step always pick the same spintax options and
 * variant, so a retried send renders the same message.
 */
export function seededRandom(seed: string): () => number {
  let calls = 0;
  return () => createHash('sha256').update(`${seed}:${calls++}`).digest().readUInt32LE(0) / 2 ** 32;
}
