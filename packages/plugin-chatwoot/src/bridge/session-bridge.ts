import type { Chat, Contact, Logger, Message, SendMessageBody, SendOptions, SqlClient } from '@zapgate/core';
import type { ChatwootClient } from '../client/client.js';
import type { ChatwootSettings } from '../settings.js';

/** What the bridge does on the gateway's side, for one session. */
export interface WhatsappSide {
  /** The stored contact with this JID or LID (with its LID ↔ phone mapping), if any. */
  contact(jid: string): Promise<Contact | null>;
  chat(jid: string): Promise<Chat | null>;
  /** The bytes of a stored message's media, or null when they are not available. */
  media(message: Message): Promise<{ data: Buffer; mimeType: string } | null>;
  /** Sends as the bridge (its sends are never bridged back). */
  send(body: SendMessageBody, options: SendOptions): Promise<Message>;
  /** Edits a text message this session sent (by Zapgate's message id). */
  edit(messageId: string, text: string): Promise<void>;
  /** Deletes a message for everyone (by Zapgate's message id). */
  revoke(messageId: string): Promise<void>;
  /** Marks a chat's latest incoming messages read. */
  markRead(chatJid: string): Promise<void>;
  presence(chatJid: string, presence: 'composing' | 'paused'): Promise<void>;
  /**
   * Downloads a file Chatwoot serves (an agent's attachment), through the guarded client;
   * null while Chatwoot answers 404 (it has not finished storing the upload).
   */
  download(url: string): Promise<{ data: Buffer; mimeType: string } | null>;
}

/** Everything the bridge of one session works with. */
export interface SessionBridge {
  sessionId: string;
  settings: ChatwootSettings;
  /** The inbox in use (from the settings, or found/created by name). */
  inboxId: number;
  client: ChatwootClient;
  sql: SqlClient;
  whatsapp: WhatsappSide;
  logger: Logger;
  /** Aborts Chatwoot calls when the job is stopping. */
  signal?: AbortSignal;
}
