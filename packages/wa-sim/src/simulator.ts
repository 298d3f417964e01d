import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { handleAdminRequest } from './admin/admin-api.js';
import { SimConnection } from './connection.js';
import { type ContactOptions, type ReceiptOptions, SimContact } from './contact.js';
import { type DeviceMessage, type PairedEvent, SimulatorEmitter } from './events.js';
import { setReachOutRestricted, setSendError } from './faults/send-faults.js';
import {
  type CreateGroupOptions,
  type GroupInfo,
  type GroupMemberRef,
  groupInfo,
} from './groups/group-model.js';
import { GroupRegistry } from './groups/group-registry.js';
import { type HistorySyncOptions, type HistorySyncResult, sendHistorySync } from './history/history-sync.js';
import { decryptMedia } from './media/media-crypto.js';
import { MediaServer } from './media/media-server.js';
import { Pairing, type PairOptions } from './pairing/pairing.js';
import { type Account, type Companion, normalizePhone, type Peer, Registry } from './registry.js';
import { StanzaRouter } from './router/stanza-router.js';
import { createCertChain, generateKeyPair, type RawKeyPair } from './transport/cert-chain.js';
import { NoiseResponder } from './transport/noise-responder.js';

/** Options of {@link startSimulator}. */
export interface SimulatorOptions {
  /** WebSocket / admin HTTP port. @default 0 (ephemeral) */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Root key pair that signs the Noise certificate chain; generated when omitted. */
  rootKeyPair?: RawKeyPair;
  /** Receipt defaults for contacts. @default { autoDeliver: true, deliveryDelayMs: 150, autoRead: true, readDelayMs: 300 } */
  receipts?: ReceiptOptions;
  /** Maximum number of device messages kept in {@link Simulator.messages}. @default 10000 */
  messageLogSize?: number;
  /** Start with dead-peer detection at this interval (see {@link Simulator.detectDeadPeers}). @default off */
  deadPeerIntervalMs?: number;
}

/** Public description of a paired device. */
export interface DeviceInfo {
  phoneNumber: string;
  jid: string;
  lid: string;
  deviceJid: string;
  deviceLid: string;
  deviceId: number;
  online: boolean;
}

/** The Baileys socket options that point a client at the simulator. */
export interface SimBaileysConfig {
  waWebSocketUrl: string;
  fetchAgent: https.Agent;
}

/** A running WhatsApp multi-device server simulator. Create it with {@link startSimulator}. */
export class Simulator extends SimulatorEmitter {
  /** Root public key (32 bytes) the Noise certificate chain is signed with. */
  readonly rootPublicKey: Buffer;
  /** Agent trusting the media server's throwaway certificate (pass as Baileys `fetchAgent`). */
  readonly httpsAgent: https.Agent;
  /** Device messages decrypted by the simulator, oldest first. */
  readonly messages: DeviceMessage[] = [];
  /** @internal */ readonly registry = new Registry();
  /** @internal */ readonly media: MediaServer;
  /** @internal */ readonly groups: GroupRegistry;
  private readonly pairing: Pairing;
  private readonly contacts = new Map<string, SimContact>();
  private readonly serverStatic = generateKeyPair();
  private readonly certChain: Uint8Array;
  private readonly receiptDefaults: Required<ReceiptOptions>;
  /** Connections that answered the last dead-peer ping (see {@link detectDeadPeers}). */
  private readonly answered = new WeakSet<WebSocket>();
  /** The simulator's connection behind each WebSocket (to say whose a dropped one was). */
  private readonly connections = new WeakMap<WebSocket, SimConnection>();
  private deadPeerTimer: NodeJS.Timeout | null = null;

  /** @internal use {@link startSimulator} */
  constructor(
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    media: MediaServer,
    root: RawKeyPair,
    private readonly options: SimulatorOptions,
  ) {
    super();
    this.media = media;
    this.rootPublicKey = Buffer.from(root.public);
    this.certChain = createCertChain(root, this.serverStatic.public);
    this.httpsAgent = new https.Agent({ ca: media.certificate, keepAlive: false });
    this.pairing = new Pairing(this.registry, this);
    this.groups = new GroupRegistry(this.registry, this, (phone) => this.contact(phone).peer);
    this.receiptDefaults = {
      autoDeliver: true,
      deliveryDelayMs: 150,
      autoRead: true,
      readDelayMs: 300,
      ...options.receipts,
    };
    const router = new StanzaRouter({
      registry: this.registry,
      pairing: this.pairing,
      groups: this.groups,
      events: this,
      mediaHost: () => media.httpsHost,
      sink: { onDeviceMessage: (peer, message, companion) => this.onDeviceMessage(peer, message, companion) },
    });
    wss.on('connection', (ws) => {
      const connection = new SimConnection(ws, new NoiseResponder(this.serverStatic, this.certChain), router);
      this.connections.set(ws, connection);
      this.answered.add(ws);
      ws.on('pong', () => this.answered.add(ws));
      this.emit('connection', { connectionId: connection.id });
    });
    if (options.deadPeerIntervalMs) this.detectDeadPeers(options.deadPeerIntervalMs);
    media.onUpload = (stored, url) =>
      this.emit('media-upload', { deviceJid: undefined, path: stored.path, url, bytes: stored.data.length });
  }

  /** WebSocket URL to use as Baileys `waWebSocketUrl`. */
  get url(): string {
    return `ws://${this.hostPort}/ws/chat`;
  }
  /** Base URL of the admin HTTP API (`/admin/...`). */
  get adminUrl(): string {
    return `http://${this.hostPort}/admin`;
  }
  /** Root public key, base64 (for `ZAPGATE_SIM_ROOT_KEY`). */
  get rootPublicKeyBase64(): string {
    return this.rootPublicKey.toString('base64');
  }
  /** PEM certificate of the HTTPS media server (for `NODE_EXTRA_CA_CERTS` or an agent's `ca`). */
  get mediaCertificate(): string {
    return this.media.certificate;
  }
  /** Same as {@link httpsAgent}. */
  get fetchAgent(): https.Agent {
    return this.httpsAgent;
  }

  /** Socket options for Baileys: `makeWASocket({ ...sim.baileysConfig(), auth, logger })`. */
  baileysConfig(): SimBaileysConfig {
    return { waWebSocketUrl: this.url, fetchAgent: this.httpsAgent };
  }

  /** The simulated phone scans a QR string Baileys emitted; resolves once the device paired. */
  scanQr(qr: string, options: PairOptions = {}): Promise<PairedEvent> {
    return this.pairing.scanQr(qr, options);
  }

  /** The simulated phone of `phoneNumber` (the number the code was requested for) types `code`. */
  enterPairingCode(code: string, options: PairOptions = {}): Promise<PairedEvent> {
    return this.pairing.enterPairingCode(code, options);
  }

  /** Creates (or returns the existing) simulated contact for `phoneNumber`. */
  contact(phoneNumber: string, options: ContactOptions = {}): SimContact {
    const number = phoneNumber.replace(/[^0-9]/g, '');
    const existing = this.contacts.get(number);
    if (existing) return existing;
    const peer = this.registry.addContact(number, options.name ?? `Contact ${number}`, options.lid);
    const contact = new SimContact(
      peer,
      { registry: this.registry, media: this.media, groups: this.groups },
      options,
      this.receiptDefaults,
    );
    this.contacts.set(number, contact);
    return contact;
  }

  /** All simulated contacts. */
  listContacts(): SimContact[] {
    return [...this.contacts.values()];
  }

  /**
   * Creates a group of simulated contacts and/or paired accounts; member devices get a
   * `w:gp2 create` notification. Members send with `contact.sendGroupText(group.jid, …)`.
   */
  createGroup(options: CreateGroupOptions): GroupInfo {
    const members = options.participants.map((member) => this.memberPeer(member));
    const creator = options.owner ? this.memberPeer(options.owner) : members[0];
    if (!creator) throw new Error('a group needs at least one participant');
    const admins = options.admins?.map((member) => this.memberPeer(member));
    const { subject, description, id } = options;
    return groupInfo(this.groups.create({ subject, creator, members, admins, description, id }));
  }

  /** A group by jid (`id@g.us`) or id, with its current members. */
  group(jid: string): GroupInfo | undefined {
    const group = this.groups.get(jid);
    return group && groupInfo(group);
  }

  /** All groups on the simulator. */
  listGroups(): GroupInfo[] {
    return this.groups.list().map(groupInfo);
  }

  /** Paired devices of every account. */
  devices(): DeviceInfo[] {
    return this.registry.companions().map(deviceInfo);
  }

  /** Accounts (simulated phones) with their devices. */
  accounts(): Array<{
    phoneNumber: string;
    jid: string;
    lid: string;
    name: string;
    /** The "about" text a device set, if any. */
    status: string | undefined;
    devices: DeviceInfo[];
  }> {
    return this.registry.accounts().map((account: Account) => ({
      phoneNumber: account.phoneNumber,
      jid: account.jid,
      lid: account.lidJid,
      name: account.name,
      status: account.status,
      devices: [...account.companions.values()].map(deviceInfo),
    }));
  }

  /** Phone jids (`number@s.whatsapp.net`) an account's devices blocked, by account phone number or jid. */
  blocklist(account: string): string[] {
    const peer = this.registry.peer(
      account.includes('@') ? account : `${normalizePhone(account)}@s.whatsapp.net`,
    );
    return peer?.kind === 'account' ? [...((peer as Account).blocked?.values() ?? [])] : [];
  }

  /** Fault: the phone unlinks the device. Its socket gets `failure 401`; later logins fail with 401. */
  logout(deviceJid: string): void {
    const companion = this.requireCompanion(deviceJid);
    companion.account.companions.delete(companion.deviceId);
    const connection = companion.connection;
    companion.connection = undefined;
    connection?.send({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
    connection?.end();
  }

  /** Fault: another client took over the session (`stream:error` conflict → 440). */
  replaceConnection(deviceJid: string): void {
    const connection = this.requireCompanion(deviceJid).connection;
    connection?.send({
      tag: 'stream:error',
      attrs: {},
      content: [{ tag: 'conflict', attrs: { type: 'replaced' } }],
    });
    connection?.end();
  }

  /**
   * What WhatsApp's servers do with a client that went silent (a frozen process, an unplugged
   * network): every `intervalMs` each connection gets a WebSocket ping, and one that has not
   * answered the previous ping by then is terminated — its device counts as offline, and what
   * it did not acknowledge goes to its next connection. Without it, a frozen client keeps its
   * connection open forever and the next login of the device replaces it. `false` stops.
   */
  detectDeadPeers(intervalMs: number | false): void {
    if (this.deadPeerTimer) clearInterval(this.deadPeerTimer);
    this.deadPeerTimer = null;
    if (intervalMs === false) return;
    // connections open before now count as having answered
    for (const ws of this.wss.clients) this.answered.add(ws);
    this.deadPeerTimer = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!this.answered.has(ws)) {
          const connection = this.connections.get(ws);
          this.emit('peer-dropped', {
            deviceJid: connection?.companion?.jid,
            connectionId: connection?.id ?? 0,
          });
          ws.terminate();
          continue;
        }
        this.answered.delete(ws);
        try {
          ws.ping();
        } catch {
          // still connecting: asked again next round
          this.answered.add(ws);
        }
      }
    }, intervalMs);
    this.deadPeerTimer.unref();
  }

  /** Fault: kill the device's TCP connection without a close frame. */
  dropConnection(deviceJid: string): void {
    this.requireCompanion(deviceJid).connection?.terminate();
  }

  /** Fault: stop (or resume with `false`) answering the device's keep-alive pings. */
  stopAnsweringPings(deviceJid: string, stop = true): void {
    this.requireCompanion(deviceJid).answerPings = !stop;
  }

  /**
   * Fault: WhatsApp's reach-out restriction (with `false`, lifted). Messages from the
   * account's devices to anyone it has not chatted with yet are refused with
   * `ack error="463"` (Baileys: `messages.update` status ERROR, `messageStubParameters`
   * `['463', …]`) and never delivered; established chats keep working. `account` is a phone
   * number, an account jid or a device jid.
   */
  restrictReachOut(account: string, restricted = true): void {
    const peer = this.registry.peer(
      account.includes('@') ? account : `${normalizePhone(account)}@s.whatsapp.net`,
    );
    if (peer?.kind !== 'account') throw new Error(`no account ${account}`);
    setReachOutRestricted(peer as Account, restricted);
  }

  /**
   * Fault: the server refuses every message the device sends with `ack error=<error>`
   * (e.g. `'479'`); `null` lets them through again.
   */
  failSends(deviceJid: string, error: string | null = '500'): void {
    setSendError(this.requireCompanion(deviceJid), error);
  }

  /** Decrypts media a device uploaded, given the media sub-message (e.g. `message.imageMessage`). */
  readUploadedMedia(
    media: { url?: string | null; directPath?: string | null; mediaKey?: Uint8Array | null },
    kind: 'image' | 'video' | 'audio' | 'document' | 'sticker',
  ): Buffer {
    const stored = this.media.find(media.directPath ?? media.url ?? '');
    if (!stored || !media.mediaKey) throw new Error('media not found on the simulator');
    return decryptMedia(stored.data, media.mediaKey, kind);
  }

  /**
   * The account's phone sends the device a history sync (chats with their messages), as an
   * encrypted `md-msg-hist` blob announced by a peer HISTORY_SYNC_NOTIFICATION. Baileys emits
   * `messaging-history.set` when its `shouldSyncHistoryMessage` accepts the notification.
   */
  sendHistorySync(deviceJid: string, options: HistorySyncOptions): Promise<HistorySyncResult> {
    return sendHistorySync(this.requireCompanion(deviceJid), this.media, options);
  }

  /** Stops every server and drops all connections. */
  async close(): Promise<void> {
    this.detectDeadPeers(false);
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.media.close();
    this.httpsAgent.destroy();
  }

  private get hostPort(): string {
    const address = this.server.address() as AddressInfo;
    return `${this.options.host ?? '127.0.0.1'}:${address.port}`;
  }

  private requireCompanion(deviceJid: string): Companion {
    const companion = this.registry.companion(deviceJid);
    if (!companion) throw new Error(`no paired device ${deviceJid}`);
    return companion;
  }

  private memberPeer(member: GroupMemberRef): Peer {
    if (typeof member !== 'string') return member.peer;
    const known = member.endsWith('@lid') ? this.registry.peer(member) : this.registry.peerByPhone(member);
    return known ?? this.contact(normalizePhone(member)).peer;
  }

  private onDeviceMessage(peer: Peer, message: DeviceMessage, companion: Companion): void {
    this.messages.push(message);
    if (this.messages.length > (this.options.messageLogSize ?? 10_000)) this.messages.shift();
    if (peer.kind === 'contact') this.contacts.get(peer.phoneNumber)?.onDeviceMessage(message, companion);
  }
}

const deviceInfo = (companion: Companion): DeviceInfo => ({
  phoneNumber: companion.account.phoneNumber,
  jid: companion.account.jid,
  lid: companion.account.lidJid,
  deviceJid: companion.jid,
  deviceLid: companion.lidJid,
  deviceId: companion.deviceId,
  online: Boolean(companion.connection && !companion.connection.closed),
});

/**
 * Starts a simulator: WebSocket endpoint `/ws/chat`, admin API `/admin`, HTTPS media host.
 * @example
 * const sim = await startSimulator();
 * trustSimulatorRoot(sim);
 * const sock = makeWASocket({ ...sim.baileysConfig(), auth, logger });
 */
export const startSimulator = async (options: SimulatorOptions = {}): Promise<Simulator> => {
  const host = options.host ?? '127.0.0.1';
  const media = new MediaServer();
  await media.start(host);
  let simulator: Simulator | undefined;
  const server = http.createServer((req, res) => {
    if (simulator && req.url?.startsWith('/admin')) return void handleAdminRequest(simulator, req, res);
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server, path: '/ws/chat' });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, () => resolve()));
  simulator = new Simulator(server, wss, media, options.rootKeyPair ?? generateKeyPair(), options);
  return simulator;
};
