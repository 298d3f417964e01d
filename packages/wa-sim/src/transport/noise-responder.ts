import { createHash, hkdfSync } from 'node:crypto';
import { aesDecryptGCM, aesEncryptGCM, Curve, NOISE_MODE, proto } from '@whiskeysockets/baileys';
import { generateKeyPair, type RawKeyPair } from './cert-chain.js';

const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
const hkdf64 = (ikm: Uint8Array, salt: Uint8Array): Buffer =>
  Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.alloc(0), 64));
const ivFor = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

/** What the client revealed in its `clientFinish` message. */
export interface NoiseFinish {
  /** The client's static Noise key (Baileys `creds.noiseKey.public`). */
  clientStatic: Buffer;
  payload: proto.ClientPayload;
}

/**
 * Server side of WhatsApp's `Noise_XX_25519_AESGCM_SHA256` handshake, then the transport
 * cipher (one AES-GCM key and counter per direction, empty AAD).
 */
export class NoiseResponder {
  private hash: Buffer = Buffer.from(NOISE_MODE);
  private salt: Buffer = this.hash;
  private key: Buffer = this.hash;
  private counter = 0;
  private ephemeral: RawKeyPair | undefined;
  private readKey: Buffer | undefined;
  private writeKey: Buffer | undefined;
  private readCounter = 0;
  private writeCounter = 0;

  constructor(
    private readonly serverStatic: RawKeyPair,
    private readonly certChain: Uint8Array,
  ) {}

  /** True once the handshake completed and transport keys exist. */
  get isTransport(): boolean {
    return this.readKey !== undefined;
  }

  /** Handles the `clientHello` frame; returns the `serverHello` frame payload to send. */
  respondToHello(prologue: Uint8Array, frame: Uint8Array): Uint8Array {
    const hello = proto.HandshakeMessage.decode(frame).clientHello;
    if (!hello?.ephemeral) throw new Error('handshake: missing clientHello.ephemeral');
    const clientEphemeral = Buffer.from(hello.ephemeral);
    this.mixHash(prologue);
    this.mixHash(clientEphemeral);
    const ephemeral = generateKeyPair();
    this.ephemeral = ephemeral;
    this.mixHash(ephemeral.public);
    this.mixKey(Curve.sharedKey(ephemeral.private, clientEphemeral));
    const encStatic = this.encryptHandshake(this.serverStatic.public);
    this.mixKey(Curve.sharedKey(this.serverStatic.private, clientEphemeral));
    const encPayload = this.encryptHandshake(this.certChain);
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: ephemeral.public, static: encStatic, payload: encPayload },
    }).finish();
  }

  /** Handles the `clientFinish` frame and switches to transport mode. */
  finish(frame: Uint8Array): NoiseFinish {
    const fin = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!fin?.static || !fin.payload || !this.ephemeral) throw new Error('handshake: bad clientFinish');
    const clientStatic = this.decryptHandshake(fin.static);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStatic));
    const payload = proto.ClientPayload.decode(this.decryptHandshake(fin.payload));
    const keys = hkdf64(Buffer.alloc(0), this.salt);
    this.readKey = keys.subarray(0, 32);
    this.writeKey = keys.subarray(32);
    return { clientStatic, payload };
  }

  /** Encrypts one transport payload (server → client). */
  encrypt(plaintext: Uint8Array): Buffer {
    if (!this.writeKey) throw new Error('noise transport not ready');
    return aesEncryptGCM(plaintext, this.writeKey, ivFor(this.writeCounter++), Buffer.alloc(0));
  }

  /** Decrypts one transport payload (client → server). */
  decrypt(ciphertext: Uint8Array): Buffer {
    if (!this.readKey) throw new Error('noise transport not ready');
    return aesDecryptGCM(ciphertext, this.readKey, ivFor(this.readCounter++), Buffer.alloc(0));
  }

  private mixHash(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixKey(ikm: Uint8Array): void {
    const out = hkdf64(ikm, this.salt);
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encryptHandshake(plaintext: Uint8Array): Buffer {
    const ciphertext = aesEncryptGCM(plaintext, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  private decryptHandshake(ciphertext: Uint8Array): Buffer {
    const plaintext = aesDecryptGCM(ciphertext, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(ciphertext);
    return plaintext;
  }
}
