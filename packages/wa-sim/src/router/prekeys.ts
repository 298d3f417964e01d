import type { BinaryNode } from '@whiskeysockets/baileys';
import type { PreKeyBundle } from 'libsignal';
import type { Companion, Registry } from '../registry.js';
import { bytesOf, childOf, childrenOf, readUIntBE, signalPub, writeUIntBE } from '../util.js';

/** Stores the one-time prekeys of an `encrypt set` upload; returns how many the device has. */
export const storeUploadedPreKeys = (companion: Companion, iq: BinaryNode): number => {
  for (const key of childrenOf(childOf(iq, 'list'))) {
    if (key.tag !== 'key') continue;
    companion.preKeys.set(readUIntBE(bytesOf(childOf(key, 'id'))), bytesOf(childOf(key, 'value')));
  }
  return companion.preKeys.size;
};

const takePreKey = (companion: Companion): [number, Buffer] | undefined => {
  const first = companion.preKeys.entries().next();
  if (first.done) return undefined;
  companion.preKeys.delete(first.value[0]);
  return first.value;
};

/** A libsignal bundle for a companion (for simulated peers starting a session with it). */
export const companionBundle = (companion: Companion): PreKeyBundle => {
  const { registration } = companion;
  const preKey = takePreKey(companion);
  return {
    registrationId: registration.registrationId,
    identityKey: signalPub(registration.identity),
    signedPreKey: {
      keyId: registration.signedPreKey.keyId,
      publicKey: signalPub(registration.signedPreKey.publicKey),
      signature: registration.signedPreKey.signature,
    },
    ...(preKey ? { preKey: { keyId: preKey[0], publicKey: signalPub(preKey[1]) } } : {}),
  };
};

const companionBundleNode = (companion: Companion, jid: string): BinaryNode => {
  const { registration } = companion;
  const preKey = takePreKey(companion);
  return {
    tag: 'user',
    attrs: { jid },
    content: [
      { tag: 'registration', attrs: {}, content: writeUIntBE(registration.registrationId, 4) },
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: registration.identity },
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: writeUIntBE(registration.signedPreKey.keyId, 3) },
          { tag: 'value', attrs: {}, content: registration.signedPreKey.publicKey },
          { tag: 'signature', attrs: {}, content: registration.signedPreKey.signature },
        ],
      },
      ...(preKey
        ? [
            {
              tag: 'key',
              attrs: {},
              content: [
                { tag: 'id', attrs: {}, content: writeUIntBE(preKey[0], 3) },
                { tag: 'value', attrs: {}, content: preKey[1] },
              ],
            },
          ]
        : []),
    ],
  };
};

/** Answers `iq encrypt get <key><user jid/>…</key>`: one bundle per requested device. */
export const prekeyBundles = (registry: Registry, keyNode: BinaryNode): BinaryNode[] => {
  const users = childrenOf(keyNode).filter((user) => user.tag === 'user');
  const list = users.map((user): BinaryNode => {
    const jid = user.attrs.jid ?? '';
    const companion = registry.companion(jid);
    if (companion) return companionBundleNode(companion, jid);
    const peer = registry.peer(jid);
    if (peer) return peer.signal.bundleNode(jid);
    return {
      tag: 'user',
      attrs: { jid },
      content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }],
    };
  });
  return [{ tag: 'list', attrs: {}, content: list }];
};
