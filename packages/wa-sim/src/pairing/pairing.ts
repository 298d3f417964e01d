import { randomBytes } from 'node:crypto';
import type { BinaryNode, proto } from '@whiskeysockets/baileys';
import type { SimConnection } from '../connection.js';
import type { PairedEvent, SimulatorEmitter } from '../events.js';
import { shareAppStateKey } from '../messages/app-state.js';
import type { CompanionRegistration, Registry } from '../registry.js';
import { bytesOf, childOf, delay, newMessageId, readUIntBE } from '../util.js';
import { buildPrimaryHello, deriveAdvSecret, type LinkCodeState, readCompanionHello } from './link-code.js';
import { buildPairSuccess, type PendingPairSuccess, verifyDeviceSignature } from './pair-success.js';

/** Options of a simulated phone scanning a QR or typing a pairing code. */
export interface PairOptions {
  /** Phone number of the account; a fresh `1555…` number when omitted. */
  phoneNumber?: string;
  /** Display name of the account. */
  pushName?: string;
}

interface Registering {
  connection: SimConnection;
  registration: CompanionRegistration;
  refs: string[];
  linkCode?: LinkCodeState;
  linkCodeAccount?: PairOptions;
  pairSuccess?: PendingPairSuccess;
  method?: 'qr' | 'code';
  resolve?: (event: PairedEvent) => void;
  reject?: (error: Error) => void;
}

const REF_COUNT = 6;
const LINK_CODE_WAIT_MS = 5_000;

/** QR and pairing-code pairing: from `devicePairingData` to `pair-success` and the 515 restart. */
export class Pairing {
  private readonly byNoiseKey = new Map<string, Registering>();
  private readonly byConnection = new Map<SimConnection, Registering>();

  constructor(
    private readonly registry: Registry,
    private readonly events: SimulatorEmitter,
  ) {}

  /** A new client registered: remember its bundle and send `pair-device` refs. */
  startRegistration(connection: SimConnection, payload: proto.ClientPayload): void {
    const data = payload.devicePairingData!;
    const registration: CompanionRegistration = {
      registrationId: readUIntBE(data.eRegid ?? new Uint8Array()),
      identity: Buffer.from(data.eIdent ?? new Uint8Array()),
      signedPreKey: {
        keyId: readUIntBE(data.eSkeyId ?? new Uint8Array()),
        publicKey: Buffer.from(data.eSkeyVal ?? new Uint8Array()),
        signature: Buffer.from(data.eSkeySig ?? new Uint8Array()),
      },
      noiseKey: connection.clientStatic!,
      pushName: payload.pushName ?? undefined,
    };
    connection.registration = registration;
    const refs = Array.from({ length: REF_COUNT }, () => randomBytes(12).toString('base64'));
    const entry: Registering = { connection, registration, refs };
    this.byNoiseKey.set(registration.noiseKey.toString('base64'), entry);
    this.byConnection.set(connection, entry);
    this.events.emit('registration', { connectionId: connection.id, pushName: registration.pushName });
    connection.send({
      tag: 'iq',
      attrs: { from: 's.whatsapp.net', type: 'set', id: newMessageId(), xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: refs.map((ref) => refNode(ref)) }],
    });
  }

  /** The registering connection went away. */
  forget(connection: SimConnection): void {
    const entry = this.byConnection.get(connection);
    if (!entry) return;
    this.byConnection.delete(connection);
    this.byNoiseKey.delete(entry.registration.noiseKey.toString('base64'));
    entry.reject?.(new Error('connection closed before pairing completed'));
  }

  /** The simulated phone scans `qr` (the string Baileys emitted in `connection.update`). */
  scanQr(qr: string, options: PairOptions = {}): Promise<PairedEvent> {
    const data = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
    const [ref, noiseB64, identityB64, advB64] = data.split(',');
    const entry = this.byNoiseKey.get(noiseB64 ?? '');
    if (!entry || !ref || !entry.refs.includes(ref))
      throw new Error('QR does not belong to a waiting client');
    if (!Buffer.from(identityB64 ?? '', 'base64').equals(entry.registration.identity)) {
      throw new Error('QR identity key does not match the registering client');
    }
    if (entry.pairSuccess) throw new Error('client is already pairing');
    const result = new Promise<PairedEvent>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.sendPairSuccess(entry, Buffer.from(advB64 ?? '', 'base64'), options, 'qr');
    return result;
  }

  /**
   * The simulated phone types `code`. With `phoneNumber`, picks the client that requested a
   * code for that number; otherwise the most recent request.
   */
  async enterPairingCode(code: string, options: PairOptions = {}): Promise<PairedEvent> {
    const wanted = options.phoneNumber?.replace(/[^0-9]/g, '');
    const find = () =>
      [...this.byConnection.values()]
        .reverse()
        .find(
          (item) => item.linkCode && !item.pairSuccess && (!wanted || item.linkCode.phoneNumber === wanted),
        );
    // requestPairingCode() resolves before the simulator has read companion_hello
    let entry = find();
    for (let waited = 0; !entry && waited < LINK_CODE_WAIT_MS; waited += 20) {
      await delay(20);
      entry = find();
    }
    if (!entry?.linkCode)
      throw new Error(`no client is waiting for a pairing code${wanted ? ` for ${wanted}` : ''}`);
    const account = this.registry.account({ ...options, phoneNumber: entry.linkCode.phoneNumber });
    entry.linkCodeAccount = { ...options, phoneNumber: account.phoneNumber };
    const result = new Promise<PairedEvent>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    entry.connection.send(
      await buildPrimaryHello(entry.linkCode, code.replace(/-/g, ''), account.accountKey.public),
    );
    return result;
  }

  /** Handles `link_code_companion_reg` iqs; returns the reply content (undefined: empty result). */
  onLinkCodeIq(connection: SimConnection, reg: BinaryNode): BinaryNode[] | undefined {
    const entry = this.byConnection.get(connection);
    if (!entry) return undefined;
    if (reg.attrs.stage === 'companion_hello') {
      entry.linkCode = readCompanionHello(reg);
      const content = [{ tag: 'link_code_pairing_ref', attrs: {}, content: Buffer.from(entry.linkCode.ref) }];
      return [{ tag: 'link_code_companion_reg', attrs: {}, content }];
    }
    if (reg.attrs.stage === 'companion_finish' && entry.linkCode) {
      const account = this.registry.account(
        entry.linkCodeAccount ?? { phoneNumber: entry.linkCode.phoneNumber },
      );
      try {
        const { advSecret } = deriveAdvSecret(entry.linkCode, reg, account.accountKey.private);
        setImmediate(() =>
          this.sendPairSuccess(entry, advSecret, { phoneNumber: account.phoneNumber }, 'code'),
        );
      } catch (error) {
        entry.reject?.(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return undefined;
  }

  /** Handles the client's answer to pair-success; true when the node was consumed. */
  onIqResult(connection: SimConnection, node: BinaryNode): boolean {
    const entry = this.byConnection.get(connection);
    const pending = entry?.pairSuccess;
    if (!entry || !pending || node.attrs.id !== pending.iqId) return false;
    const identityNode = childOf(childOf(node, 'pair-device-sign'), 'device-identity');
    const valid = verifyDeviceSignature(pending, entry.registration, bytesOf(identityNode));
    const { account, deviceId } = pending;
    const companion = {
      account,
      deviceId,
      jid: `${account.phoneNumber}:${deviceId}@s.whatsapp.net`,
      lidJid: `${account.lid}:${deviceId}@lid`,
      registration: entry.registration,
      preKeys: new Map<number, Buffer>(),
      connection: undefined,
      answerPings: true,
      offlineQueue: [],
    };
    account.companions.set(deviceId, companion);
    // like the real phone, share the app-state sync key; delivered when the device logs in
    shareAppStateKey(companion).catch((error: unknown) =>
      this.events.emit('error', new Error(`app-state key share failed: ${String(error)}`)),
    );
    const event: PairedEvent = {
      method: entry.method ?? 'qr',
      phoneNumber: account.phoneNumber,
      jid: account.jid,
      lid: account.lidJid,
      deviceJid: companion.jid,
      deviceLid: companion.lidJid,
      deviceId,
      deviceSignatureValid: valid,
    };
    entry.reject = undefined;
    this.forget(connection);
    connection.send({ tag: 'stream:error', attrs: { code: '515' } });
    connection.end();
    this.events.emit('paired', event);
    entry.resolve?.(event);
    return true;
  }

  private sendPairSuccess(
    entry: Registering,
    advSecret: Buffer,
    options: PairOptions,
    method: 'qr' | 'code',
  ): void {
    const account = this.registry.account(options);
    if (options.pushName) account.name = options.pushName;
    const { node, pending } = buildPairSuccess(account, entry.registration, advSecret);
    entry.pairSuccess = pending;
    entry.method = method;
    entry.connection.send(node);
  }
}

const refNode = (ref: string): BinaryNode => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) });
