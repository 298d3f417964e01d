import { randomInt } from 'node:crypto';
import type { BinaryNode } from '@whiskeysockets/baileys';
import {
  curve,
  type PreKeyBundle,
  ProtocolAddress,
  SessionBuilder,
  SessionCipher,
  type SessionRecord,
  type SessionStorage,
  type SignalKeyPair,
} from 'libsignal';
import { rawPub, writeUIntBE } from '../util.js';

/** Signal message types as they appear in `<enc type>`. */
export type EncType = 'pkmsg' | 'msg';

/** One encrypted payload ready for an `<enc>` node. */
export interface Encrypted {
  type: EncType;
  ciphertext: Buffer;
}

const PREKEY_BATCH = 5;

/**
 * A simulated Signal device (a phone, device 0): identity key, signed prekey, one-time
 * prekeys handed out one per bundle fetch, and libsignal sessions with companion devices.
 */
export class SignalIdentity {
  readonly identity: SignalKeyPair;
  readonly registrationId = randomInt(1, 16380);
  private readonly signedPreKey: { keyId: number; keyPair: SignalKeyPair; signature: Buffer };
  private readonly preKeys = new Map<number, SignalKeyPair>();
  private readonly unused: number[] = [];
  private nextPreKeyId = 1;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly storage: SessionStorage;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(identity: SignalKeyPair = curve.generateKeyPair()) {
    this.identity = identity;
    const keyPair = curve.generateKeyPair();
    this.signedPreKey = {
      keyId: 1,
      keyPair,
      signature: curve.calculateSignature(identity.privKey, keyPair.pubKey),
    };
    this.storage = this.createStorage();
  }

  /** The 32-byte identity public key (no type byte). */
  get identityPublic(): Buffer {
    return rawPub(this.identity.pubKey);
  }

  /** True when a session with `address` exists. */
  hasSession(address: string): boolean {
    return this.sessions.get(`${address}.0`)?.haveOpenSession() ?? false;
  }

  /** Builds the `<user>` node of a prekey-bundle answer, handing out a fresh one-time prekey. */
  bundleNode(jid: string): BinaryNode {
    const [preKeyId, preKey] = this.takePreKey();
    return {
      tag: 'user',
      attrs: { jid },
      content: [
        { tag: 'registration', attrs: {}, content: writeUIntBE(this.registrationId, 4) },
        { tag: 'type', attrs: {}, content: Buffer.from([5]) },
        { tag: 'identity', attrs: {}, content: this.identityPublic },
        {
          tag: 'skey',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: writeUIntBE(this.signedPreKey.keyId, 3) },
            { tag: 'value', attrs: {}, content: rawPub(this.signedPreKey.keyPair.pubKey) },
            { tag: 'signature', attrs: {}, content: Buffer.from(this.signedPreKey.signature) },
          ],
        },
        {
          tag: 'key',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: writeUIntBE(preKeyId, 3) },
            { tag: 'value', attrs: {}, content: rawPub(preKey.pubKey) },
          ],
        },
      ],
    };
  }

  /**
   * Encrypts `plaintext` for the device at `address`, starting a session from the bundle
   * `getBundle` returns when none is open. Calls are serialized per identity.
   */
  encrypt(address: string, getBundle: () => PreKeyBundle, plaintext: Uint8Array): Promise<Encrypted> {
    return this.serialize(async () => {
      const protocolAddress = new ProtocolAddress(address, 0);
      if (!this.hasSession(address)) {
        await new SessionBuilder(this.storage, protocolAddress).initOutgoing(getBundle());
      }
      const { type, body } = await new SessionCipher(this.storage, protocolAddress).encrypt(plaintext);
      return { type: type === 3 ? 'pkmsg' : 'msg', ciphertext: Buffer.from(body, 'binary') };
    });
  }

  /** Decrypts a message a companion device at `address` sent to this identity. */
  decrypt(address: string, type: string, ciphertext: Uint8Array): Promise<Buffer> {
    return this.serialize(async () => {
      const cipher = new SessionCipher(this.storage, new ProtocolAddress(address, 0));
      if (type === 'pkmsg') return cipher.decryptPreKeyWhisperMessage(ciphertext);
      if (type === 'msg') return cipher.decryptWhisperMessage(ciphertext);
      throw new Error(`unsupported enc type ${type}`);
    });
  }

  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private takePreKey(): [number, SignalKeyPair] {
    if (this.unused.length === 0) {
      for (let i = 0; i < PREKEY_BATCH; i++) {
        const id = this.nextPreKeyId++;
        this.preKeys.set(id, curve.generateKeyPair());
        this.unused.push(id);
      }
    }
    const id = this.unused.shift()!;
    return [id, this.preKeys.get(id)!];
  }

  private createStorage(): SessionStorage {
    const copy = (pair: SignalKeyPair): SignalKeyPair => ({
      pubKey: Buffer.from(pair.pubKey),
      privKey: Buffer.from(pair.privKey),
    });
    return {
      loadSession: async (id) => this.sessions.get(id),
      storeSession: async (id, record) => {
        this.sessions.set(id, record);
      },
      isTrustedIdentity: () => true,
      loadPreKey: async (id) => {
        const pair = this.preKeys.get(Number(id));
        return pair && copy(pair);
      },
      removePreKey: (id) => {
        this.preKeys.delete(Number(id));
      },
      loadSignedPreKey: () => copy(this.signedPreKey.keyPair),
      getOurRegistrationId: () => this.registrationId,
      getOurIdentity: () => copy(this.identity),
    };
  }
}
