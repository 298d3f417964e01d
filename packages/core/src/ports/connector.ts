import type { Readable } from 'node:stream';
import type { ChatInput } from '../contracts/chat.js';
import type { ContactInput } from '../contracts/contact.js';
import type { Group, GroupParticipantsAction } from '../contracts/group.js';
import type { Message, MessageStatus, NewMessage } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';
import type { Session } from '../contracts/session.js';
import type { OutgoingPolicy } from '../net/outgoing-policy.js';
import type { AuthRepo } from './auth.js';

/** Why a connection closed, in Zapgate's words (never a Baileys `Boom`). */
export type CloseReason =
  | 'logged_out'
  | 'replaced'
  | 'restart_required'
  | 'connection_lost'
  | 'timed_out'
  | 'qr_timeout'
  | 'bad_session'
  | 'closed_by_us'
  | 'unknown';

/** A message as a connector sees it, ready to store. */
export type InboundMessage = Omit<NewMessage, 'sessionId'> & {
  /** Media to download into the media store. */
  media?: { download(): Promise<Readable | Buffer> };
};

/**
 * A change a connection reports that the gateway stores with its events in one transaction
 * (several of them in one transaction when reported together as a `batch`).
 */
export type StateChange =
  | {
      type: 'message.status';
      chatId: string;
      waid: string;
      status: MessageStatus;
      /** WhatsApp's error code when it refused the message (`failed`), e.g. `463`. */
      error?: string;
    }
  | {
      type: 'message.edited';
      chatId: string;
      waid: string;
      content: InboundMessage['content'];
      msgType: InboundMessage['msgType'];
      editedAt: string;
    }
  | { type: 'message.deleted'; chatId: string; waid: string; deletedBy: string | null }
  | {
      type: 'message.reaction';
      chatId: string;
      targetWaid: string;
      senderJid: string;
      emoji: string;
      at: string;
    }
  | { type: 'poll.vote'; chatId: string; pollWaid: string; voterJid: string; options: string[]; at: string }
  | {
      type: 'chats';
      chats: ChatInput[] /** Changes to known chats only: never create one. */;
      onlyExisting?: boolean;
    }
  | { type: 'chat.deleted'; chatJid: string }
  | { type: 'contacts'; contacts: ContactInput[] }
  | { type: 'groups'; groups: Omit<Group, 'sessionId'>[] }
  | {
      type: 'group.participants';
      groupJid: string;
      action: GroupParticipantsAction;
      participants: string[];
      actor: string | null;
    }
  | {
      type: 'presence';
      chatJid: string;
      jid: string;
      presence: 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';
      lastSeen: string | null;
    };

/** What a connection reports; the gateway stores it and turns it into events. */
export type ConnectorEvent =
  | { type: 'connecting' }
  | { type: 'qr'; qr: string; expiresAt: string }
  | { type: 'open'; deviceJid: string; phoneNumber: string; pushName: string | null; lid: string | null }
  | { type: 'close'; reason: CloseReason; message: string; statusCode?: number }
  | { type: 'messages'; messages: InboundMessage[]; history: boolean }
  | StateChange
  /** Changes reported together (one Baileys event batch): stored in one transaction, in order. */
  | { type: 'batch'; changes: StateChange[] }
  | { type: 'call'; callId: string; from: string; isVideo: boolean; isGroup: boolean; status: string };

/** How a connector reports an event. */
export interface InboundDelivery {
  /**
   * The connector acknowledges the event to WhatsApp only once it is stored (a receipt is
   * withheld until then): a failure is not a loss, WhatsApp delivers the event again.
   * @default false
   */
  unacknowledged?: boolean;
}

/** What the gateway hands a connector for one session. */
export interface ConnectOptions {
  session: Session;
  /** Creds and keys of this session. */
  auth: AuthRepo;
  /**
   * Receives every event, in order; awaiting it is the connector's back-pressure. Resolves
   * once the event is stored (or given up as an event that can never be stored, logged and
   * counted). With `delivery.unacknowledged` (WhatsApp has not been told yet that the message
   * arrived) it rejects when the event could not be stored in time: the connector must then
   * not acknowledge it, so that WhatsApp delivers it again.
   */
  onEvent(event: ConnectorEvent, delivery?: InboundDelivery): Promise<void>;
  /**
   * A stored message of this session by chat and WhatsApp id, or `null`. Connectors use it to
   * decrypt poll votes (with the poll's `metadata.messageSecret`) and to resend on retries.
   */
  getMessage(chatId: string, waid: string): Promise<Message | null>;
  /**
   * The policy the session's proxy (a user-given URL) is dialled through.
   * @default public addresses only
   */
  outgoing?: OutgoingPolicy;
}

/** Outbound content with media already resolved to bytes. */
export type OutboundContent =
  | Exclude<SendMessageBody, { media: unknown }>
  | (Extract<SendMessageBody, { media: unknown }> & { data: Buffer; mimeType: string });

/** Options of one send. */
export interface ConnectorSendOptions {
  /** The WhatsApp id to send under (the gateway stores the message first). @default a new one */
  waid?: string;
  /** The quoted message: its key, and the stored message so the contact sees what is quoted. */
  quoted?: { waid: string; chatId: string; fromMe: boolean; senderJid: string | null; message: Message };
  /** For reactions: the target message key. */
  target?: { waid: string; chatId: string; fromMe: boolean; senderJid: string | null };
}

/** What a send produced, to store. */
export interface SentMessage {
  waid: string;
  chatId: string;
  timestamp: string;
  message: Omit<InboundMessage, 'media'>;
}

/** Chat changes a connector applies. */
export type ChatModification =
  | { archive: boolean }
  | { pin: boolean }
  | { muteUntil: string | null }
  | { markRead: boolean }
  | { delete: true };

/** A connected (or connecting) WhatsApp socket. One per session, never two. */
export interface Connection {
  /** Closes the socket and keeps creds (the session can reconnect without pairing). */
  close(): Promise<void>;
  /** Unlinks the device from the phone. */
  logout(): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  /** A fresh WhatsApp message id, to store a message before sending it. */
  newMessageId(): string;
  rejectCall(callId: string, from: string): Promise<void>;
  /** Normalises a phone number or JID to a JID; `null` when it is not valid. */
  toJid(recipient: string): string | null;
  send(to: string, content: OutboundContent, options: ConnectorSendOptions): Promise<SentMessage>;
  edit(chatId: string, waid: string, text: string): Promise<void>;
  revoke(chatId: string, waid: string, fromMe: boolean, senderJid: string | null): Promise<void>;
  markRead(
    chatId: string,
    messages: { waid: string; fromMe: boolean; senderJid: string | null }[],
  ): Promise<void>;
  sendPresence(
    chatId: string | null,
    presence: 'available' | 'unavailable' | 'composing' | 'recording' | 'paused',
  ): Promise<void>;
  modifyChat(
    chatId: string,
    change: ChatModification,
    lastMessage: { waid: string; fromMe: boolean; timestamp: string } | null,
  ): Promise<void>;
  /** Which numbers are on WhatsApp, with their JIDs. */
  checkNumbers(
    phoneNumbers: string[],
  ): Promise<{ phoneNumber: string; jid: string | null; exists: boolean }[]>;
  profilePictureUrl(jid: string): Promise<string | null>;
  setBlocked(jid: string, blocked: boolean): Promise<void>;
  updateProfile(change: { name?: string; status?: string; picture?: Buffer }): Promise<void>;
  groups: GroupOperations;
}

export interface GroupOperations {
  list(): Promise<Omit<Group, 'sessionId'>[]>;
  get(jid: string): Promise<Omit<Group, 'sessionId'>>;
  create(subject: string, participants: string[]): Promise<Omit<Group, 'sessionId'>>;
  update(
    jid: string,
    change: {
      subject?: string;
      description?: string;
      announce?: boolean;
      restrict?: boolean;
      picture?: Buffer;
    },
  ): Promise<void>;
  participants(
    jid: string,
    action: GroupParticipantsAction,
    participants: string[],
  ): Promise<{ jid: string; status: string }[]>;
  inviteCode(jid: string): Promise<string>;
  revokeInvite(jid: string): Promise<string>;
  join(code: string): Promise<string>;
  leave(jid: string): Promise<void>;
}

/**
 * The WhatsApp port. `baileysConnector()` from `@zapgate/core/baileys` is the real one;
 * `fakeConnector()` from `@zapgate/core/testing` is scriptable for unit tests.
 */
export interface Connector {
  readonly name: string;
  /** Opens a socket for a session; progress is reported through `onEvent`. */
  connect(options: ConnectOptions): Promise<Connection>;
}
