import { randomBytes } from 'node:crypto';
import { type BinaryNode, proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import type { SimulatorEmitter } from '../events.js';
import { type Account, type Companion, signalAddress } from '../registry.js';
import { companionBundle } from '../router/prekeys.js';
import { childOf, childrenOf, newMessageId, unixTime } from '../util.js';
import { deliver } from './deliver.js';

/** The app-state sync key an account's phone shares with each of its companions. */
interface AppStateKey {
  keyId: Buffer;
  keyData: Buffer;
  timestamp: number;
}

const keys = new WeakMap<Account, AppStateKey>();

const keyOf = (account: Account): AppStateKey => {
  let key = keys.get(account);
  if (!key) {
    key = { keyId: randomBytes(6), keyData: randomBytes(32), timestamp: Date.now() };
    keys.set(account, key);
  }
  return key;
};

/**
 * What the primary phone does right after pairing: it sends the new companion the account's
 * app-state sync key as a Signal-encrypted peer `protocolMessage` (APP_STATE_SYNC_KEY_SHARE).
 * Without it Baileys refuses every `chatModify` ("App state key not present!"). The stanza
 * is queued when the device is offline and delivered on its next login.
 */
export const shareAppStateKey = async (companion: Companion): Promise<void> => {
  const { account } = companion;
  const key = keyOf(account);
  const message: proto.IMessage = {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.APP_STATE_SYNC_KEY_SHARE,
      appStateSyncKeyShare: {
        keys: [
          {
            keyId: { keyId: key.keyId },
            keyData: {
              keyData: key.keyData,
              fingerprint: { rawId: 1, currentIndex: 0, deviceIndexes: [0, companion.deviceId] },
              timestamp: key.timestamp,
            },
          },
        ],
      },
    },
  };
  const plaintext = writeRandomPadMax16(proto.Message.encode(message).finish());
  const { type, ciphertext } = await account.signal.encrypt(
    signalAddress(companion),
    () => companionBundle(companion),
    plaintext,
  );
  deliver(companion, {
    tag: 'message',
    attrs: { from: account.jid, id: newMessageId(), t: unixTime(), type: 'text', category: 'peer' },
    content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
  });
};

/** One `w:sync:app:state` patch a device sent (its mutations stay encrypted). */
export interface AppStatePatch {
  deviceJid: string | undefined;
  /** Collection name, e.g. `regular_low` (archive, pin, mark read) or `regular_high` (mute, delete). */
  collection: string;
  /** The collection version the patch builds on. */
  version: number;
}

/**
 * Answers a `w:sync:app:state` iq: a `set` (a device uploading patches) emits one
 * `app-state-patch` event per patch and succeeds; a `get` (a resync) answers each
 * collection at the version asked for, with no newer patches.
 */
export const answerAppState = (
  events: SimulatorEmitter,
  companion: Companion | undefined,
  iq: BinaryNode,
): BinaryNode[] => {
  const collections = childrenOf(childOf(iq, 'sync')).filter((child) => child.tag === 'collection');
  if (iq.attrs.type === 'set') {
    for (const collection of collections) {
      for (const _patch of childrenOf(collection).filter((child) => child.tag === 'patch')) {
        events.emit('app-state-patch', {
          deviceJid: companion?.jid,
          collection: collection.attrs.name ?? '',
          version: Number(collection.attrs.version ?? 0),
        });
      }
    }
  }
  return [
    {
      tag: 'sync',
      attrs: {},
      content: collections.map((collection) => ({
        tag: 'collection',
        attrs: { name: collection.attrs.name ?? '', version: collection.attrs.version ?? '0' },
      })),
    },
  ];
};
