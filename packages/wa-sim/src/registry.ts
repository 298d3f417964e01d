import { randomInt } from 'node:crypto';
import { jidDecode } from '@whiskeysockets/baileys';
import { curve } from 'libsignal';
import type { SimConnection } from './connection.js';
import { SignalIdentity } from './signal/signal-identity.js';
import type { RawKeyPair } from './transport/cert-chain.js';
import { rawPub } from './util.js';

/** The Signal bundle a companion registered with (from `ClientPayload.devicePairingData`). */
export interface CompanionRegistration {
  registrationId: number;
  identity: Buffer;
  signedPreKey: { keyId: number; publicKey: Buffer; signature: Buffer };
  noiseKey: Buffer;
  pushName: string | undefined;
}

/** Anything with a phone number, a LID and a Signal identity on device 0. */
export interface Peer {
  kind: 'account' | 'contact';
  phoneNumber: string;
  lid: string;
  /** `number@s.whatsapp.net` */
  jid: string;
  /** `lid@lid` */
  lidJid: string;
  name: string;
  signal: SignalIdentity;
}

/** A simulated phone owning companion devices (the account Baileys logs into). */
export interface Account extends Peer {
  kind: 'account';
  /** ADV account key; the same key pair is the phone's Signal identity. */
  accountKey: RawKeyPair;
  companions: Map<number, Companion>;
  nextDeviceId: number;
  /** The "about" text a device set (`status` iq). */
  status?: string;
  /** LID jids the account blocked (`blocklist` iq), mapped to their phone jids. */
  blocked?: Map<string, string>;
}

/** A stanza waiting for a device's next connection. */
export interface QueuedStanza {
  node: import('@whiskeysockets/baileys').BinaryNode;
  /**
   * Builds the stanza again for a redelivery: a 1:1 message is encrypted anew, as its sender
   * does when the device answers the original with a retry receipt (the device may have used
   * the original's key before it died). @default the same stanza
   */
  rebuild?: () => Promise<import('@whiskeysockets/baileys').BinaryNode>;
}

/** A paired companion device (one Baileys auth state). */
export interface Companion {
  account: Account;
  deviceId: number;
  /** `number:device@s.whatsapp.net` */
  jid: string;
  /** `lid:device@lid` */
  lidJid: string;
  registration: CompanionRegistration;
  /** One-time prekeys the device uploaded, by id. */
  preKeys: Map<number, Buffer>;
  connection: SimConnection | undefined;
  answerPings: boolean;
  /**
   * Stanzas queued while the device is offline, and messages a socket died without
   * acknowledging; delivered on its next login.
   */
  offlineQueue: QueuedStanza[];
}

/** Accounts, their companion devices and the simulated contacts, with jid lookups. */
export class Registry {
  private readonly byPhone = new Map<string, Peer>();
  private readonly byLid = new Map<string, Peer>();
  private nextAutoPhone = 1;

  /** All accounts created so far. */
  accounts(): Account[] {
    return [...this.byPhone.values()].filter((peer): peer is Account => peer.kind === 'account');
  }

  /** All companions of all accounts. */
  companions(): Companion[] {
    return this.accounts().flatMap((account) => [...account.companions.values()]);
  }

  /** Returns the account for `phoneNumber`, creating it (and a fresh account key) if needed. */
  account(options: { phoneNumber?: string; pushName?: string } = {}): Account {
    const phoneNumber = options.phoneNumber ? normalizePhone(options.phoneNumber) : this.allocatePhone();
    const existing = this.byPhone.get(phoneNumber);
    if (existing?.kind === 'contact')
      throw new Error(`${phoneNumber} is a simulated contact, not an account`);
    if (existing) return existing as Account;
    const keyPair = curve.generateKeyPair();
    const lid = this.allocateLid();
    const account: Account = {
      kind: 'account',
      phoneNumber,
      lid,
      jid: `${phoneNumber}@s.whatsapp.net`,
      lidJid: `${lid}@lid`,
      name: options.pushName ?? `Sim ${phoneNumber}`,
      signal: new SignalIdentity(keyPair),
      accountKey: { public: rawPub(keyPair.pubKey), private: Buffer.from(keyPair.privKey) },
      companions: new Map(),
      nextDeviceId: 2,
    };
    this.add(account);
    return account;
  }

  /** Registers a contact peer; throws when the number is taken. */
  addContact(phoneNumber: string, name: string, lid?: string): Peer {
    const number = normalizePhone(phoneNumber);
    if (this.byPhone.has(number)) throw new Error(`phone number ${number} already exists on the simulator`);
    const contactLid = lid ?? this.allocateLid();
    const peer: Peer = {
      kind: 'contact',
      phoneNumber: number,
      lid: contactLid,
      jid: `${number}@s.whatsapp.net`,
      lidJid: `${contactLid}@lid`,
      name,
      signal: new SignalIdentity(),
    };
    this.add(peer);
    return peer;
  }

  /** Peer for a user jid in PN (`@s.whatsapp.net`) or LID (`@lid`) form, device part ignored. */
  peer(jid: string): Peer | undefined {
    const decoded = jidDecode(jid);
    if (!decoded) return undefined;
    if (decoded.server === 'lid') return this.byLid.get(decoded.user);
    if (decoded.server === 's.whatsapp.net' || decoded.server === 'c.us')
      return this.byPhone.get(decoded.user);
    return undefined;
  }

  /** Peer by bare phone number. */
  peerByPhone(phoneNumber: string): Peer | undefined {
    return this.byPhone.get(normalizePhone(phoneNumber));
  }

  /** Companion for a device jid (PN or LID form); undefined for device 0 or unknown. */
  companion(jid: string): Companion | undefined {
    const decoded = jidDecode(jid);
    const peer = this.peer(jid);
    if (!decoded?.device || peer?.kind !== 'account') return undefined;
    return (peer as Account).companions.get(decoded.device);
  }

  /** Companion a login `ClientPayload{username, device}` refers to. */
  companionForLogin(username: string, device: number): Companion | undefined {
    const peer = this.byPhone.get(username);
    return peer?.kind === 'account' ? (peer as Account).companions.get(device) : undefined;
  }

  private add(peer: Peer): void {
    this.byPhone.set(peer.phoneNumber, peer);
    this.byLid.set(peer.lid, peer);
  }

  private allocatePhone(): string {
    for (;;) {
      const candidate = `1555${String(7_000_000 + this.nextAutoPhone++)}`;
      if (!this.byPhone.has(candidate)) return candidate;
    }
  }

  private allocateLid(): string {
    for (;;) {
      const candidate = String(randomInt(100_000_000_000_000, 281_474_976_710_655));
      if (!this.byLid.has(candidate)) return candidate;
    }
  }
}

/** Strips `+`, spaces and a jid suffix from a phone number. */
export const normalizePhone = (value: string): string =>
  value
    .split('@')[0]!
    .split(':')[0]!
    .replace(/[^0-9]/g, '');

/** libsignal address name of a companion (libsignal rejects dots, so not the jid). */
export const signalAddress = (companion: Companion): string =>
  `${companion.account.phoneNumber}_${companion.deviceId}`;
