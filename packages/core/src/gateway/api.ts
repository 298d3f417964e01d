import type { Readable } from 'node:stream';
import type { Chat } from '../contracts/chat.js';
import type { PageOf } from '../contracts/common.js';
import type { Contact } from '../contracts/contact.js';
import type { Group, GroupParticipantsAction } from '../contracts/group.js';
import type { Message, SendOrigin } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';
import type { PluginInfo, PluginSettingsView } from '../contracts/plugin.js';
import type { NewSession, Session, SessionPatch, SessionQr } from '../contracts/session.js';
import type { Connection } from '../ports/connector.js';
import type { ChatListFilter, MessageListFilter } from '../ports/store.js';

/** Options of {@link SessionsApi.qr}. */
export interface QrOptions {
  /** Wait this long for the first QR of a session that is connecting. @default 0 */
  waitMs?: number;
  /** Stops waiting (e.g. the HTTP client went away). */
  signal?: AbortSignal;
}

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
  /**
   * The current QR, or `QR_NOT_AVAILABLE` (its message says why: connected, not connecting,
   * or no QR yet). With `waitMs`, a session that is connecting is waited on until its first
   * QR appears, at most that long.
   */
  qr(id: string, options?: QrOptions): Promise<SessionQr>;
  /** Sets the key hash the host uses to authenticate the session's key. */
  setApiKeyHash(id: string, hash: string): Promise<void>;
}

/** Options of a send. */
export interface SendOptions {
  /**
   * Retrying with the same key and the same request returns the first message; it is sent
   * once. The same key with a different request is refused (`IDEMPOTENCY_KEY_REUSED`, 409).
   */
  idempotencyKey?: string;
  /**
   * Who is sending, stored on the message and carried by `message.sent`. A plugin's
   * `ctx.gateway` always sends as `plugin:<id>`. @default 'api'
   */
  origin?: SendOrigin;
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

type Presence = 'available' | 'unavailable' | 'composing' | 'recording' | 'paused';

/** Chat actions that go through WhatsApp. The session must be connected. */
export interface ChatsApi {
  archive(sessionId: string, chatJid: string, archived: boolean): Promise<Chat>;
  pin(sessionId: string, chatJid: string, pinned: boolean): Promise<Chat>;
  /** Mutes until the given time, or unmutes with `null`. */
  mute(sessionId: string, chatJid: string, until: string | null): Promise<Chat>;
  markUnread(sessionId: string, chatJid: string, unread: boolean): Promise<Chat>;
  delete(sessionId: string, chatJid: string): Promise<void>;
  /** Sends typing/recording/paused in a chat, or available/unavailable globally (`chatJid` null). */
  presence(sessionId: string, chatJid: string | null, presence: Presence): Promise<void>;
}

/** Contact lookups that need WhatsApp. */
export interface ContactsApi {
  /** Which numbers are on WhatsApp (batch). */
  check(
    sessionId: string,
    phoneNumbers: string[],
  ): Promise<{ phoneNumber: string; jid: string | null; exists: boolean }[]>;
  profilePicture(sessionId: string, jid: string): Promise<string | null>;
  block(sessionId: string, jid: string, blocked: boolean): Promise<void>;
}

/** Group operations. */
export interface GroupsApi {
  list(sessionId: string): Promise<Group[]>;
  get(sessionId: string, jid: string): Promise<Group>;
  create(sessionId: string, subject: string, participants: string[]): Promise<Group>;
  update(
    sessionId: string,
    jid: string,
    change: {
      subject?: string;
      description?: string;
      announce?: boolean;
      restrict?: boolean;
      picture?: Buffer;
    },
  ): Promise<Group>;
  participants(
    sessionId: string,
    jid: string,
    action: GroupParticipantsAction,
    participants: string[],
  ): Promise<{ jid: string; status: string }[]>;
  inviteCode(sessionId: string, jid: string): Promise<string>;
  revokeInvite(sessionId: string, jid: string): Promise<string>;
  /** Joins by invite code (or `https://chat.whatsapp.com/<code>`); returns the group JID. */
  join(sessionId: string, code: string): Promise<string>;
  leave(sessionId: string, jid: string): Promise<void>;
}

/** The session's own profile. */
export interface ProfileApi {
  update(sessionId: string, change: { name?: string; status?: string; picture?: Buffer }): Promise<void>;
}

export type { PluginInfo, PluginSettingsView } from '../contracts/plugin.js';

/**
 * Installed plugins and their per-session settings. Settings are validated against the
 * plugin's `sessionSettingsSchema` (every problem listed, `VALIDATION_FAILED`); secret fields
 * (`writeOnly: true`) are sealed at rest with the host's `encryptionKey` and never returned
 * in clear. Each change appends `plugin.settings.updated` for the session.
 */
export interface PluginSettingsApi {
  /** Every installed plugin, in dependency order, with its settings schema. */
  plugins(): PluginInfo[];
  /** Unknown plugin: `PLUGIN_NOT_FOUND`; one without settings: `PLUGIN_HAS_NO_SETTINGS`. */
  get(sessionId: string, pluginId: string): Promise<PluginSettingsView>;
  /**
   * Replaces the settings (defaults applied; unknown fields refused). A secret left out or
   * `null` keeps its stored value.
   */
  put(sessionId: string, pluginId: string, settings: Record<string, unknown>): Promise<PluginSettingsView>;
  /** Deletes the settings (no event when there were none). */
  delete(sessionId: string, pluginId: string): Promise<void>;
}

/** A stored media file, ready to read. */
export interface MediaFile {
  /** The bytes (read it once). */
  stream: Readable;
  mimeType: string;
  /** Bytes, when known. */
  size: number | undefined;
  fileName: string | undefined;
}

/** Stored media of messages. */
export interface MediaApi {
  /**
   * The media of a stored message. `MESSAGE_NOT_FOUND` for an unknown message,
   * `MEDIA_UNAVAILABLE` when it has no stored file (not media, not downloaded, or no media store).
   * To send media from bytes, pass `SendOptions.upload` to `messages.send`.
   */
  read(sessionId: string, messageId: string): Promise<MediaFile>;
}

/** What plugins and hosts can do with a gateway. */
export interface GatewayApi {
  sessions: SessionsApi;
  messages: MessagesApi;
  directory: DirectoryApi;
  chats: ChatsApi;
  contacts: ContactsApi;
  groups: GroupsApi;
  profile: ProfileApi;
  pluginSettings: PluginSettingsApi;
  media: MediaApi;
  /** The live connection of a connected session, or `SESSION_NOT_CONNECTED`. */
  connection(sessionId: string): Promise<Connection>;
}
