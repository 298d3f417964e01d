/** Minimal typings for the parts of the `libsignal` package the simulator uses. */
declare module 'libsignal' {
  export interface SignalKeyPair {
    pubKey: Buffer;
    privKey: Buffer;
  }

  export interface PreKeyBundle {
    registrationId: number;
    identityKey: Uint8Array;
    signedPreKey: { keyId: number; publicKey: Uint8Array; signature: Uint8Array };
    preKey?: { keyId: number; publicKey: Uint8Array };
  }

  export interface SessionStorage {
    loadSession(id: string): Promise<SessionRecord | undefined>;
    storeSession(id: string, record: SessionRecord): Promise<void>;
    isTrustedIdentity(identifier: string, identityKey: Uint8Array): boolean | Promise<boolean>;
    loadPreKey(id: number | string): Promise<SignalKeyPair | undefined>;
    removePreKey(id: number | string): void | Promise<void>;
    loadSignedPreKey(id: number | string): SignalKeyPair | Promise<SignalKeyPair>;
    getOurRegistrationId(): number | Promise<number>;
    getOurIdentity(): SignalKeyPair | Promise<SignalKeyPair>;
  }

  export class ProtocolAddress {
    constructor(id: string, deviceId: number);
    readonly id: string;
    readonly deviceId: number;
    toString(): string;
  }

  export class SessionRecord {
    haveOpenSession(): boolean;
  }

  export class SessionBuilder {
    constructor(storage: SessionStorage, address: ProtocolAddress);
    initOutgoing(bundle: PreKeyBundle): Promise<void>;
  }

  export class SessionCipher {
    constructor(storage: SessionStorage, address: ProtocolAddress);
    encrypt(data: Uint8Array): Promise<{ type: number; body: string; registrationId: number }>;
    decryptWhisperMessage(data: Uint8Array): Promise<Buffer>;
    decryptPreKeyWhisperMessage(data: Uint8Array): Promise<Buffer>;
  }

  export const curve: {
    generateKeyPair(): SignalKeyPair;
    calculateAgreement(publicKey: Uint8Array, privateKey: Uint8Array): Buffer;
    calculateSignature(privateKey: Uint8Array, message: Uint8Array): Buffer;
    verifySignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  };
}
