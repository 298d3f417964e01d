import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/**
 * Points the in-process Baileys at a simulator's root key, so its Noise certificate chain
 * verifies (`WA_CERT_DETAILS.PUBLIC_KEY = rootPublicKey`). Returns a function restoring
 * the previous key.
 */
export const trustSimulatorRoot = (
  sim: { rootPublicKey: Uint8Array } | Uint8Array | string,
): (() => void) => {
  const key =
    typeof sim === 'string'
      ? Buffer.from(sim, 'base64')
      : sim instanceof Uint8Array
        ? Buffer.from(sim)
        : Buffer.from(sim.rootPublicKey);
  if (key.length !== 32) throw new Error(`simulator root key must be 32 bytes, got ${key.length}`);
  const previous = WA_CERT_DETAILS.PUBLIC_KEY;
  WA_CERT_DETAILS.PUBLIC_KEY = key;
  return () => {
    WA_CERT_DETAILS.PUBLIC_KEY = previous;
  };
};
