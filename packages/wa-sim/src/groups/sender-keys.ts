import {
  GroupCipher,
  GroupSessionBuilder,
  SenderKeyDistributionMessage,
  SenderKeyName,
  SenderKeyRecord,
} from '@whiskeysockets/baileys/lib/Signal/Group/index.js';

/** A sender of group messages as the sender-key scheme names it (user + device). */
export interface SenderAddress {
  id: string;
  deviceId: number;
}

/** Result of {@link SenderKeys.encrypt}. */
export interface GroupEncrypted {
  /** `SenderKeyMessage` bytes for `<enc type="skmsg">`. */
  ciphertext: Buffer;
  /** Serialized `SenderKeyDistributionMessage` (for `axolotlSenderKeyDistributionMessage`). */
  distribution: Buffer;
}

const senderKeyName = (group: string, sender: SenderAddress): SenderKeyName =>
  new SenderKeyName(group, { ...sender, toString: () => `${sender.id}.${sender.deviceId}` });

/**
 * The sender-key state of one simulated phone: its own chain per group (to encrypt) and the
 * chains companions distributed to it (to decrypt). Uses Baileys' own sender-key code, the
 * implementation WhatsApp clients interoperate with. Operations are serialized.
 */
export class SenderKeys {
  private readonly records = new Map<string, SenderKeyRecord>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly store = {
    loadSenderKey: async (name: SenderKeyName) => this.records.get(name.toString()) ?? new SenderKeyRecord(),
    storeSenderKey: async (name: SenderKeyName, record: SenderKeyRecord) => {
      this.records.set(name.toString(), record);
    },
  };

  /** True when `sender` distributed a sender key for `group` to this phone. */
  has(group: string, sender: SenderAddress): boolean {
    return this.records.has(senderKeyName(group, sender).toString());
  }

  /** Encrypts padded message bytes with this phone's own chain for `group` (created on first use). */
  encrypt(group: string, self: SenderAddress, padded: Uint8Array): Promise<GroupEncrypted> {
    return this.serialize(async () => {
      const name = senderKeyName(group, self);
      const distribution = await new GroupSessionBuilder(this.store).create(name);
      const ciphertext = await new GroupCipher(this.store, name).encrypt(padded);
      return { ciphertext: Buffer.from(ciphertext), distribution: Buffer.from(distribution.serialize()) };
    });
  }

  /** Stores the chain `sender` distributed for `group`. */
  process(group: string, sender: SenderAddress, distribution: Uint8Array): Promise<void> {
    return this.serialize(async () => {
      const message = new SenderKeyDistributionMessage(null, null, null, null, distribution);
      await new GroupSessionBuilder(this.store).process(senderKeyName(group, sender), message);
    });
  }

  /** Decrypts an `skmsg` of `sender` in `group`; returns the padded plaintext. */
  decrypt(group: string, sender: SenderAddress, ciphertext: Uint8Array): Promise<Buffer> {
    return this.serialize(async () =>
      Buffer.from(await new GroupCipher(this.store, senderKeyName(group, sender)).decrypt(ciphertext)),
    );
  }

  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
