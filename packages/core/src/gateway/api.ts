import type { Chat } from '../contracts/chat.js';
import type { PageOf } from '../contracts/common.js';
import type { Contact } from '../contracts/contact.js';
import type { Message } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';
import type { NewSession, Session, SessionPatch, SessionQr } from '../contracts/session.js';
import type { Connection } from '../ports/connector.js';
import type { ChatListFilter, MessageListFilter } from '../ports/store.js';

/** Session lifecycle operations. Unknown ids throw `SESSION_NOT_FOUND`. */
export interface SessionsApi {
  create(input: NewSession, options?: { apiKeyHash?: string }): Promise<Session>;
  list(): Promise<Session[]>;
  get(id: string): Promise<Session>;
  update(id: string, patch: SessionPatch): Promise<Session>;
  /** Logs out (unless `keepData`, then only disconnects) and deletes the session. */
  delete(id: string, options?: { keepData?: boolean }): Promise<void>;
  /** Starts connecting (QR or saved creds); returns at once with the new status. */
  connect(id: string): Promise<Session>;
  /** Closes the socket and keeps creds. */
  disconnect(id: string): Promise<Session>;
  /** Unlinks the device and wipes creds. */
  logout(id: string): Promise<Session>;
  /** Disconnects and connects again. */
  restart(id: string): Promise<Session>;
  /** Asks WhatsApp for a pairing code for `phoneNumber` (instead of a QR). */
  pairingCode(id: string, phoneNumber: string): Promise<string>;
  /** The current QR, or `QR_NOT_AVAILABLE`. */
  qr(id: string): Promise<SessionQr>;
  /** Sets the key hash the host uses to authenticate the session's key. */
  setApiKeyHash(id: string, hash: string): Promise<void>;
}

/** Options of a send. */
export interface SendOptions {
  /** Retrying with the same key returns the first message; it is sent once. */
  idempotencyKey?: string;
  /** Media bytes uploaded with the request (multipart), used instead of `body.media`. */
  upload?: { data: Buffer; mimeType: string; fileName?: string };
}

/** Message operations. */
export interface MessagesApi {
  /** Stores the message as `pending`, sends it and returns it (status then follows receipts). */
  send(sessionId: string, body: SendMessageBody, options?: SendOptions): Promise<Message>;
  get(sessionId: string, id: string): Promise<Message>;
  list(sessionId: string, filter?: MessageListFilter): Promise<PageOf<Message>>;
  edit(sessionId: string, id: string, text: string): Promise<Message>;
  /** Deletes for everyone; the stored row is kept, marked deleted. */
  revoke(sessionId: string, id: string): Promise<Message>;
  markRead(sessionId: string, chatId: string, messageIds?: string[]): Promise<void>;
}

/** Chat and contact queries over the store. */
export interface DirectoryApi {
  listChats(sessionId: string, filter?: ChatListFilter): Promise<PageOf<Chat>>;
  getChat(sessionId: string, chatJid: string): Promise<Chat>;
  listContacts(
    sessionId: string,
    filter?: { search?: string; limit?: number; cursor?: string },
  ): Promise<PageOf<Contact>>;
  getContact(sessionId: string, jid: string): Promise<Contact>;
}

/** What plugins and hosts can do with a gateway. */
export interface GatewayApi {
  sessions: SessionsApi;
  messages: MessagesApi;
  directory: DirectoryApi;
  /** The live connection of a connected session, or `SESSION_NOT_CONNECTED`. */
  connection(sessionId: string): Promise<Connection>;
}
