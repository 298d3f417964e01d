import { deflateSync } from 'node:zlib';
import { proto, writeRandomPadMax16 } from '@whiskeysockets/baileys';
import { encryptMedia } from '../media/media-crypto.js';
import type { MediaServer } from '../media/media-server.js';
import { deliver } from '../messages/deliver.js';
import { type Companion, signalAddress } from '../registry.js';
import { companionBundle } from '../router/prekeys.js';
import { newMessageId, unixTime } from '../util.js';

/** One message of a synced conversation. */
export interface HistoryMessageInput {
  /** Sent by the account (`true`) or by the chat partner. */
  fromMe: boolean;
  text: string;
  /** Message id. @default a random `3EB0…` id */
  id?: string;
  /** Unix seconds. @default now minus one minute per message, oldest first */
  timestamp?: number;
}

/** One conversation of a history sync. */
export interface HistoryConversationInput {
  /** Chat jid (`number@s.whatsapp.net`). */
  jid: string;
  /** Chat / contact display name (also the push name of the partner's messages). */
  name?: string;
  /** Messages, oldest first. */
  messages: HistoryMessageInput[];
}

/** What {@link Simulator.sendHistorySync} sends. */
export interface HistorySyncOptions {
  conversations: HistoryConversationInput[];
  /** @default 'INITIAL_BOOTSTRAP' */
  syncType?: 'INITIAL_BOOTSTRAP' | 'RECENT' | 'FULL';
  /** Chunk order of this blob. @default 1 */
  chunkOrder?: number;
  /** Progress percentage. @default 100 */
  progress?: number;
  /**
   * Also carry the deflated blob in `initialHistBootstrapInlinePayload`, as phones do for the
   * bootstrap chunk. Baileys then skips the download. Without it, Baileys fetches
   * `https://mmg.whatsapp.net<directPath>`, so the client must route that host to the
   * simulator's media server (e.g. a Baileys `options.dispatcher`, see {@link MediaServer.httpBase}).
   * @default true for INITIAL_BOOTSTRAP, false otherwise
   */
  inline?: boolean;
}

/** What was sent: the notification's id and every history message key, oldest first per chat. */
export interface HistorySyncResult {
  notificationId: string;
  messages: Array<{ chatJid: string; id: string; fromMe: boolean; timestamp: number; text: string }>;
}

/** Builds the `proto.HistorySync` blob; messages are stored newest first, as the phone does. */
export const buildHistorySync = (
  options: HistorySyncOptions,
  accountName: string,
): { sync: proto.IHistorySync; messages: HistorySyncResult['messages'] } => {
  const syncType = proto.HistorySync.HistorySyncType[options.syncType ?? 'INITIAL_BOOTSTRAP'];
  const now = Math.floor(Date.now() / 1000);
  const sent: HistorySyncResult['messages'] = [];
  const conversations = options.conversations.map((chat): proto.IConversation => {
    const infos = chat.messages.map((input, index): proto.IWebMessageInfo => {
      const id = input.id ?? newMessageId();
      const timestamp = input.timestamp ?? now - 60 * (chat.messages.length - index);
      sent.push({ chatJid: chat.jid, id, fromMe: input.fromMe, timestamp, text: input.text });
      return {
        key: { remoteJid: chat.jid, fromMe: input.fromMe, id },
        message: { conversation: input.text },
        messageTimestamp: timestamp,
        pushName: input.fromMe ? accountName : chat.name,
        status: input.fromMe ? proto.WebMessageInfo.Status.READ : proto.WebMessageInfo.Status.DELIVERY_ACK,
      };
    });
    const newestFirst = [...infos].reverse();
    return {
      id: chat.jid,
      name: chat.name,
      conversationTimestamp: newestFirst[0]?.messageTimestamp ?? now,
      unreadCount: 0,
      messages: newestFirst.map((message, index) => ({ message, msgOrderId: infos.length - index })),
    };
  });
  return {
    sync: { syncType, conversations, chunkOrder: options.chunkOrder ?? 1, progress: options.progress ?? 100 },
    messages: sent,
  };
};

/**
 * The phone (device 0 of the companion's account) sends the companion a history sync: the
 * `HistorySync` blob is deflated, encrypted as `md-msg-hist` media and served by the media
 * server; the companion gets a Signal-encrypted `category="peer"` message carrying a
 * `protocolMessage` HISTORY_SYNC_NOTIFICATION that points at it (queued while offline).
 */
export const sendHistorySync = async (
  companion: Companion,
  media: MediaServer,
  options: HistorySyncOptions,
): Promise<HistorySyncResult> => {
  const { account } = companion;
  const { sync, messages } = buildHistorySync(options, account.name);
  const deflated = deflateSync(proto.HistorySync.encode(sync).finish());
  const enc = encryptMedia(deflated, 'md-msg-hist');
  const directPath = new URL(media.storeInbound(enc.encrypted)).pathname;
  const inline = options.inline ?? sync.syncType === proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP;
  const message: proto.IMessage = {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        fileSha256: enc.fileSha256,
        fileLength: enc.fileLength,
        mediaKey: enc.mediaKey,
        fileEncSha256: enc.fileEncSha256,
        directPath,
        syncType: sync.syncType,
        chunkOrder: sync.chunkOrder,
        progress: sync.progress,
        originalMessageId: newMessageId(),
        ...(inline ? { initialHistBootstrapInlinePayload: deflated } : {}),
      },
    },
  };
  const plaintext = writeRandomPadMax16(proto.Message.encode(message).finish());
  const { type, ciphertext } = await account.signal.encrypt(
    signalAddress(companion),
    () => companionBundle(companion),
    plaintext,
  );
  const notificationId = newMessageId();
  deliver(companion, {
    tag: 'message',
    attrs: { from: account.jid, id: notificationId, t: unixTime(), type: 'text', category: 'peer' },
    content: [{ tag: 'enc', attrs: { v: '2', type }, content: ciphertext }],
  });
  return { notificationId, messages };
};
