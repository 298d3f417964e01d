import { hkdfSync, randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  type BinaryNode,
  Curve,
  derivePairingCodeKey,
} from '@whiskeysockets/baileys';
import { generateKeyPair, type RawKeyPair } from '../transport/cert-chain.js';
import { bytesOf, childOf, newMessageId, unixTime } from '../util.js';

/** State of a pairing-code exchange on one registering connection. */
export interface LinkCodeState {
  ref: string;
  /** Phone number the client requested the code for. */
  phoneNumber: string;
  wrappedCompanionEphemeral: Buffer;
  companionEphemeral?: Buffer;
  primaryEphemeral?: RawKeyPair;
}

/** Reads a `companion_hello` stage node. */
export const readCompanionHello = (reg: BinaryNode): LinkCodeState => ({
  ref: randomBytes(16).toString('hex'),
  phoneNumber: (reg.attrs.jid ?? '').split('@')[0]!,
  wrappedCompanionEphemeral: bytesOf(childOf(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub')),
});

/**
 * The phone types `code`: unwraps the companion's ephemeral key and returns the
 * `primary_hello` notification carrying the phone's identity and wrapped ephemeral key.
 */
export const buildPrimaryHello = async (
  state: LinkCodeState,
  code: string,
  primaryIdentityPublic: Buffer,
): Promise<BinaryNode> => {
  const wrapped = state.wrappedCompanionEphemeral;
  const companionKey = await derivePairingCodeKey(code, wrapped.subarray(0, 32));
  state.companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), companionKey, wrapped.subarray(32, 48));
  const primaryEphemeral = generateKeyPair();
  state.primaryEphemeral = primaryEphemeral;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const primaryKey = await derivePairingCodeKey(code, salt);
  const wrappedPrimary = Buffer.concat([salt, iv, aesEncryptCTR(primaryEphemeral.public, primaryKey, iv)]);
  return {
    tag: 'notification',
    attrs: { from: 's.whatsapp.net', type: 'link_code_companion_reg', id: newMessageId(), t: unixTime() },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: { stage: 'primary_hello' },
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(state.ref) },
          { tag: 'primary_identity_pub', attrs: {}, content: primaryIdentityPublic },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedPrimary },
        ],
      },
    ],
  };
};

/**
 * Handles `companion_finish`: decrypts the key bundle and derives the ADV secret
 * `HKDF(companionShared ‖ DH(primaryIdentity, companionIdentity) ‖ random, "adv_secret")`.
 */
export const deriveAdvSecret = (
  state: LinkCodeState,
  finish: BinaryNode,
  primaryIdentityPrivate: Buffer,
): { advSecret: Buffer; companionIdentity: Buffer } => {
  if (!state.primaryEphemeral || !state.companionEphemeral) throw new Error('pairing code was not entered');
  const bundle = bytesOf(childOf(finish, 'link_code_pairing_wrapped_key_bundle'));
  const companionShared = Curve.sharedKey(state.primaryEphemeral.private, state.companionEphemeral);
  const key = Buffer.from(
    hkdfSync(
      'sha256',
      companionShared,
      bundle.subarray(0, 32),
      'link_code_pairing_key_bundle_encryption_key',
      32,
    ),
  );
  const plain = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0));
  const companionIdentity = Buffer.from(plain.subarray(0, 32));
  const random = plain.subarray(64, 96);
  const identityShared = Curve.sharedKey(primaryIdentityPrivate, companionIdentity);
  const advSecret = Buffer.from(
    hkdfSync(
      'sha256',
      Buffer.concat([companionShared, identityShared, random]),
      Buffer.alloc(32),
      'adv_secret',
      32,
    ),
  );
  return { advSecret, companionIdentity };
};
