import { randomInt } from 'node:crypto';
import {
  type BinaryNode,
  Curve,
  hmacSign,
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
} from '@whiskeysockets/baileys';
import type { Account, CompanionRegistration } from '../registry.js';
import { newMessageId } from '../util.js';

/** What the simulator remembers between pair-success and the client's pair-device-sign. */
export interface PendingPairSuccess {
  iqId: string;
  account: Account;
  deviceId: number;
  details: Buffer;
}

/**
 * Builds the `pair-success` iq: ADV device identity signed with the account key and
 * HMAC'd with the ADV secret the phone learned from the QR or the pairing code.
 */
export const buildPairSuccess = (
  account: Account,
  registration: CompanionRegistration,
  advSecret: Buffer,
): { node: BinaryNode; pending: PendingPairSuccess } => {
  const deviceId = account.nextDeviceId++;
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: randomInt(1, 1_000_000_000),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex: 1,
    }).finish(),
  );
  const accountSignature = Curve.sign(
    account.accountKey.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, registration.identity]),
  );
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: account.accountKey.public,
      accountSignature,
    }).finish(),
  );
  const hmac = hmacSign(signed, advSecret);
  const iqId = newMessageId();
  const node: BinaryNode = {
    tag: 'iq',
    attrs: { from: 's.whatsapp.net', type: 'set', id: iqId, xmlns: 'md' },
    content: [
      {
        tag: 'pair-success',
        attrs: {},
        content: [
          {
            tag: 'device-identity',
            attrs: {},
            content: proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac }).finish(),
          },
          { tag: 'platform', attrs: { name: 'android' } },
          // Baileys takes the account name (creds.me.name) from here; WhatsApp sends it this way
          // for business accounts and by app-state sync (not simulated) for others. Without a
          // name Baileys never sends presence.
          { tag: 'biz', attrs: { name: account.name } },
          {
            tag: 'device',
            attrs: {
              jid: `${account.phoneNumber}:${deviceId}@s.whatsapp.net`,
              lid: `${account.lid}:${deviceId}@lid`,
            },
          },
        ],
      },
    ],
  };
  return { node, pending: { iqId, account, deviceId, details } };
};

/** Checks the companion's device signature over `[6,1] ‖ details ‖ identity ‖ accountKey`. */
export const verifyDeviceSignature = (
  pending: PendingPairSuccess,
  registration: CompanionRegistration,
  signedIdentity: Uint8Array,
): boolean => {
  const decoded = proto.ADVSignedDeviceIdentity.decode(signedIdentity);
  if (!decoded.deviceSignature) return false;
  return Curve.verify(
    registration.identity,
    Buffer.concat([
      WA_ADV_DEVICE_SIG_PREFIX,
      pending.details,
      registration.identity,
      pending.account.accountKey.public,
    ]),
    decoded.deviceSignature,
  );
};
