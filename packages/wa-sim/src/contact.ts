import { randomBytes } from 'node:crypto';
import { jidNormalizedUser, proto } from '@whiskeysockets/baileys';
import type { DeviceMessage } from './events.js';
import type { GroupRegistry } from './groups/group-registry.js';
import { encryptMedia, type SimMediaKind } from './media/media-crypto.js';
import type { MediaServer } from './media/media-server.js';
import { type Addressing, sendEncrypted, sendReceipt } from './messages/deliver.js';
import { encryptPollVote, pollCreationOf } from './messages/poll-vote.js';
import type { Companion, Peer, Registry } from './registry.js';
import { newMessageId } from './util.js';

/** Receipt behaviour of a simulated contact. */
export interface ReceiptOptions {
  /** Send a delivery receipt (status 3) for each message a device sends. @default true */
  autoDeliver?: boolean;
  /** Delay before the delivery receipt. @default 150 */
  deliveryDelayMs?: number;
  /** Send a read receipt (status 4) too. @default true */
  autoRead?: boolean;
  /** Delay before the read receipt. @default 300 */
  readDelayMs?: number;
}

/** Options of {@link Simulator.contact}. */
export interface ContactOptions extends ReceiptOptions {
  /** Display name (`notify`/push name). @default 'Contact <number>' */
  name?: string;
  /** LID user part; random when omitted. */
  lid?: string;
  /** Address devices by phone number (`sender_lid` attr) or by LID. @default 'pn' */
  addressing?: Addressing;
}

/** Options of a contact's send calls. */
export interface ContactSendOptions {
  /** Message id; generated when omitted. */
  id?: string;
  /** Quote (reply to) this message id. */
  quotedId?: string;
}

/** Media a contact sends. */
export interface ContactMedia {
  kind: SimMediaKind;
  data: Buffer;
  mimetype: string;
  caption?: string;
  fileName?: string;
}

/** Options of {@link SimContact.votePoll}. */
export interface VotePollOptions {
  /**
   * Account jid of the poll's creator. @default the device account for a poll this contact
   * received, this contact for a poll it sent
   */
  pollCreator?: string;
  /** The poll's `messageSecret`; by default the one of the received or sent poll. */
  messageSecret?: Uint8Array;
}

/** A message a device sent to the contact, decrypted. */
export type ReceivedMessage = DeviceMessage;

interface Waiter {
  predicate: (message: ReceivedMessage) => boolean;
  resolve: (message: ReceivedMessage) => void;
}

/** Dependencies a contact gets from its simulator. */
export interface ContactDeps {
  registry: Registry;
  media: MediaServer;
  groups: GroupRegistry;
}

/**
 * A simulated WhatsApp user with a phone number, a LID and a Signal identity. It sends
 * end-to-end encrypted messages to paired devices and receives what they send it.
 */
export class SimContact {
  /** Messages devices sent to this contact, oldest first. */
  readonly received: ReceivedMessage[] = [];
  private readonly consumed = new Set<ReceivedMessage>();
  /** `messageSecret` of each poll this contact sent, by message id. */
  private readonly pollSecrets = new Map<string, Uint8Array>();
  private waiters: Waiter[] = [];
  private readonly receipts: Required<ReceiptOptions>;
  private readonly addressing: Addressing;

  constructor(
    /** The registry entry behind the contact. */
    readonly peer: Peer,
    private readonly deps: ContactDeps,
    options: ContactOptions,
    defaults: Required<ReceiptOptions>,
  ) {
    this.receipts = { ...defaults, ...stripUndefined(options) };
    this.addressing = options.addressing ?? 'pn';
  }

  /** Phone number (digits only). */
  get phoneNumber(): string {
    return this.peer.phoneNumber;
  }
  /** `number@s.whatsapp.net` */
  get jid(): string {
    return this.peer.jid;
  }
  /** `lid@lid` */
  get lid(): string {
    return this.peer.lidJid;
  }
  /** Display name. */
  get name(): string {
    return this.peer.name;
  }

  /** Changes receipt behaviour for future messages. */
  setReceipts(options: ReceiptOptions): void {
    Object.assign(this.receipts, stripUndefined(options));
  }

  /**
   * Sends any `proto.Message` to a device jid, an account jid, a phone number (all
   * devices of the account) or a group jid (`…@g.us`, see {@link sendToGroup}). Resolves
   * with the message id once encrypted and delivered (or queued for an offline device).
   * A poll creation gets a random `messageContextInfo.messageSecret` unless it has one; the
   * contact remembers it to encrypt its votes ({@link votePoll}).
   */
  async send(
    to: string,
    content: proto.IMessage,
    options: Pick<ContactSendOptions, 'id'> = {},
  ): Promise<string> {
    const id = options.id ?? newMessageId();
    let message = content;
    if (pollCreationOf(message)) {
      const messageSecret = message.messageContextInfo?.messageSecret ?? randomBytes(32);
      message = { ...message, messageContextInfo: { ...message.messageContextInfo, messageSecret } };
      this.pollSecrets.set(id, messageSecret);
    }
    if (to.endsWith('@g.us')) {
      await this.deps.groups.send(this.peer, to, message, id);
      return id;
    }
    for (const companion of this.targets(to))
      await sendEncrypted(this.peer, companion, message, id, this.addressing);
    return id;
  }

  /**
   * Sends any `proto.Message` to a group this contact is a member of, as a sender-key
   * `skmsg` to every device of the member accounts (the first message to a device also
   * carries the sender-key distribution in a Signal pkmsg/msg).
   */
  sendToGroup(
    groupJid: string,
    message: proto.IMessage,
    options: Pick<ContactSendOptions, 'id'> = {},
  ): Promise<string> {
    if (!groupJid.endsWith('@g.us')) throw new Error(`${groupJid} is not a group jid`);
    return this.send(groupJid, message, options);
  }

  /** Sends a text to a group; with `quotedId` as a reply to a message of the group. */
  sendGroupText(groupJid: string, text: string, options: ContactSendOptions = {}): Promise<string> {
    if (!groupJid.endsWith('@g.us')) throw new Error(`${groupJid} is not a group jid`);
    return this.sendText(groupJid, text, options);
  }

  /** Sends a text; with `quotedId` as a reply to a message of the chat. */
  sendText(to: string, text: string, options: ContactSendOptions = {}): Promise<string> {
    if (!options.quotedId) return this.send(to, { conversation: text }, options);
    return this.send(
      to,
      { extendedTextMessage: { text, contextInfo: this.quote(to, options.quotedId) } },
      options,
    );
  }

  /** Encrypts media with WhatsApp media crypto, serves it over local HTTP and sends it. */
  sendMedia(to: string, media: ContactMedia, options: ContactSendOptions = {}): Promise<string> {
    const enc = encryptMedia(media.data, media.kind);
    const common = {
      url: this.deps.media.storeInbound(enc.encrypted),
      mimetype: media.mimetype,
      mediaKey: enc.mediaKey,
      fileSha256: enc.fileSha256,
      fileEncSha256: enc.fileEncSha256,
      fileLength: enc.fileLength,
      mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      ...(options.quotedId ? { contextInfo: this.quote(to, options.quotedId) } : {}),
    };
    const caption = media.caption ? { caption: media.caption } : {};
    const message: proto.IMessage =
      media.kind === 'image'
        ? { imageMessage: { ...common, ...caption } }
        : media.kind === 'video'
          ? { videoMessage: { ...common, ...caption } }
          : media.kind === 'audio'
            ? { audioMessage: common }
            : media.kind === 'sticker'
              ? { stickerMessage: common }
              : { documentMessage: { ...common, ...caption, fileName: media.fileName ?? 'file' } };
    return this.send(to, message, options);
  }

  /**
   * Reacts to a message (`emoji` '' removes the reaction). `fromMe` tells whether the
   * target message was sent by this contact; by default it was sent by the device.
   */
  react(to: string, messageId: string, emoji: string, options: { fromMe?: boolean } = {}): Promise<string> {
    const key: proto.IMessageKey = {
      remoteJid: this.chatJid(to),
      fromMe: options.fromMe ?? false,
      id: messageId,
    };
    if (to.endsWith('@g.us'))
      key.participant = options.fromMe ? this.jid : this.quote(to, messageId).participant;
    return this.send(to, { reactionMessage: { key, text: emoji, senderTimestampMs: Date.now() } });
  }

  /** Edits a text message this contact sent earlier. */
  edit(to: string, messageId: string, text: string): Promise<string> {
    return this.send(to, {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
        key: { remoteJid: this.chatJid(to), fromMe: true, id: messageId },
        editedMessage: { conversation: text },
        timestampMs: Date.now(),
      },
    });
  }

  /** Deletes a message this contact sent earlier, for everyone. */
  revoke(to: string, messageId: string): Promise<string> {
    return this.send(to, {
      protocolMessage: {
        type: proto.Message.ProtocolMessage.Type.REVOKE,
        key: { remoteJid: this.chatJid(to), fromMe: true, id: messageId },
      },
    });
  }

  /**
   * Votes in a poll (an encrypted `pollUpdateMessage`); `optionNames` are the selected
   * options, `[]` retracts the vote. The poll is one a device sent this contact (its
   * `messageSecret` comes from {@link received}) or one this contact sent; for any other,
   * pass `pollCreator` and `messageSecret`.
   */
  async votePoll(
    to: string,
    pollMessageId: string,
    optionNames: string[],
    options: VotePollOptions = {},
  ): Promise<string> {
    const received = this.received.find((m) => m.id === pollMessageId && pollCreationOf(m.message));
    const messageSecret =
      options.messageSecret ??
      this.pollSecrets.get(pollMessageId) ??
      received?.message.messageContextInfo?.messageSecret ??
      undefined;
    if (!messageSecret) throw new Error(`${this.name} does not know the secret of poll ${pollMessageId}`);
    const ownPoll = !received && this.pollSecrets.has(pollMessageId);
    const pollCreator = jidNormalizedUser(
      options.pollCreator ?? (received ? received.from : ownPoll ? this.jid : this.chatJid(to)),
    );
    const key: proto.IMessageKey = {
      remoteJid: this.chatJid(to),
      fromMe: pollCreator === this.jid,
      id: pollMessageId,
      ...(to.endsWith('@g.us') ? { participant: pollCreator } : {}),
    };
    const vote = encryptPollVote(optionNames, {
      messageSecret,
      pollMsgId: pollMessageId,
      pollCreatorJid: pollCreator,
      voterJid: this.jid,
    });
    return this.send(to, {
      pollUpdateMessage: { pollCreationMessageKey: key, vote, senderTimestampMs: Date.now() },
    });
  }

  /** Sends read receipts for messages a device sent (for `autoRead: false`). */
  markRead(deviceJid: string, ids: string[]): void {
    const companion = this.deps.registry.companion(deviceJid);
    const first = this.received.find((message) => message.id === ids[0]);
    if (companion) sendReceipt(companion, first?.to ?? this.jid, ids, 'read', first?.group && this.jid);
  }

  /**
   * Resolves with the first received message matching `predicate` that no earlier call
   * returned; waits for it up to `timeoutMs` (default 10 s).
   */
  waitForMessage(
    predicate: (message: ReceivedMessage) => boolean = () => true,
    options: { timeoutMs?: number } = {},
  ): Promise<ReceivedMessage> {
    const found = this.received.find((message) => !this.consumed.has(message) && predicate(message));
    if (found) {
      this.consumed.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timeoutMs = options.timeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((item) => item !== waiter);
        reject(new Error(`${this.name} got no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** @internal Called by the simulator for every message a device sent to this contact. */
  onDeviceMessage(message: ReceivedMessage, companion: Companion): void {
    this.received.push(message);
    const waiter = this.waiters.find((item) => item.predicate(message));
    if (waiter) {
      this.waiters = this.waiters.filter((item) => item !== waiter);
      this.consumed.add(message);
      waiter.resolve(message);
    }
    const { autoDeliver, deliveryDelayMs, autoRead, readDelayMs } = this.receipts;
    const participant = message.group ? this.jid : undefined;
    if (autoDeliver)
      setTimeout(
        () => sendReceipt(companion, message.to, [message.id], undefined, participant),
        deliveryDelayMs,
      ).unref();
    if (autoRead)
      setTimeout(
        () => sendReceipt(companion, message.to, [message.id], 'read', participant),
        readDelayMs,
      ).unref();
  }

  private targets(to: string): Companion[] {
    const companion = this.deps.registry.companion(to);
    if (companion) return [companion];
    const peer = this.deps.registry.peer(to.includes('@') ? to : `${to}@s.whatsapp.net`);
    if (peer?.kind !== 'account') throw new Error(`${to} is not a paired account on the simulator`);
    const companions = [...(peer as import('./registry.js').Account).companions.values()];
    if (companions.length === 0) throw new Error(`${to} has no paired device`);
    return companions;
  }

  private chatJid(to: string): string {
    const companion = this.deps.registry.companion(to);
    if (companion) return companion.account.jid;
    return this.deps.registry.peer(to.includes('@') ? to : `${to}@s.whatsapp.net`)?.jid ?? to;
  }

  private quote(to: string, quotedId: string): proto.IContextInfo {
    const quoted = this.received.find((message) => message.id === quotedId);
    const author = quoted
      ? jidNormalizedUser(quoted.from)
      : to.endsWith('@g.us')
        ? this.deps.groups.authorOf(to, quotedId)
        : undefined;
    return {
      stanzaId: quotedId,
      participant: author ?? this.jid,
      quotedMessage: quoted?.message ?? { conversation: '' },
    };
  }
}

const stripUndefined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
