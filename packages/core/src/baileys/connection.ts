import {
  Browsers,
  downloadMediaMessage,
  generateMessageIDV2,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type WAMessage,
  type WASocket,
} from '@whiskeysockets/baileys';
import type { ContactInput } from '../contracts/contact.js';
import type { Logger } from '../logger.js';
import { outgoingPolicy } from '../net/outgoing-policy.js';
import { probeProxy } from '../net/proxy.js';
import type {
  Connection,
  ConnectOptions,
  ConnectorEvent,
  InboundMessage,
  StateChange,
} from '../ports/connector.js';
import { useStoreAuthState } from './auth-state.js';
import { closeReasonOf } from './close-reason.js';
import { guardAsync, orNullWhenAbsent } from './errors.js';
import { createGroupOperations } from './groups.js';
import { phoneOf, preferPn, toJid } from './jids.js';
import { signalKeyCache } from './key-cache.js';
import { toBaileysLogger } from './logger.js';
import { ackErrorOf, chatOf, contactOf, groupOf, statusOf } from './map-events.js';
import { mapWaMessage, senderContactOf } from './map-inbound.js';
import { keyOf, quotedContent, toBaileysContent } from './map-outbound.js';
import type { BaileysConnectorOptions } from './options.js';
import { decryptVote, isPollVote, toWaContent } from './poll-votes.js';
import { proxyAgentFor } from './proxy.js';

/** Messages of one socket stored in one batch at most (they arrive while the last batch is stored). */
const maxStoreBatch = 100;

const mediaTypes = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** Statuses a receipt or an error ack sets (not `sent`: the send path records that itself). */
const foldedReceipt = new Set<string | null>(['delivered', 'read', 'played', 'failed']);

const notStateChanges = new Set(['connecting', 'qr', 'open', 'close', 'messages', 'batch', 'call']);
const isStateChange = (event: ConnectorEvent): event is StateChange => !notStateChanges.has(event.type);

/** Opens one Baileys socket for a session and adapts it to the {@link Connection} port. */
export async function openBaileysConnection(
  options: ConnectOptions,
  config: BaileysConnectorOptions,
  logger: Logger,
): Promise<Connection> {
  const { session, onEvent } = options;
  // A decrypted message's key writes are stored with the messages that follow it, and its
  // receipt waits for them (storeQueued): what WhatsApp is told is delivered can be decrypted
  // again from the store. A lost write ends the socket: its next connection reads the store.
  const { state, saveCreds, keysStored } = await useStoreAuthState(options.auth, session.id, {
    deferKeyWrites: true,
    onWriteFailed: (error) => {
      logger.error({ err: error, sessionId: session.id }, 'storing Signal keys failed; reconnecting');
      if (!closedByUs) sock.end(new Error('Signal keys cannot be stored'));
    },
  });
  const qrTimeoutMs = config.qrTimeoutMs ?? 60_000;
  const outgoing = options.outgoing ?? outgoingPolicy();
  // an unreachable or refused proxy fails here, in seconds, with its reason
  if (session.proxyUrl) await probeProxy(session.proxyUrl, outgoing, config.proxyConnectTimeoutMs ?? 5000);
  const proxy = session.proxyUrl
    ? (config.proxyAgent ?? proxyAgentFor)(session.proxyUrl, outgoing)
    : undefined;
  const baileysLogger = toBaileysLogger(config.logger ?? logger);
  const sock: WASocket = makeWASocket({
    // Signal keys are read on every message: keep hot ones in memory (bounded LRU and TTL cache).
    auth: {
      creds: state.creds,
      keys: makeCacheableSignalKeyStore(
        state.keys,
        baileysLogger,
        signalKeyCache({
          maxKeys: config.signalKeyCache?.maxKeys ?? 1000,
          ttlMs: config.signalKeyCache?.ttlMs ?? 5 * 60_000,
        }),
      ),
    },
    logger: baileysLogger,
    browser: config.browser ?? Browsers.appropriate('Zapgate'),
    ...(config.version ? { version: config.version } : {}),
    ...(config.waWebSocketUrl ? { waWebSocketUrl: config.waWebSocketUrl } : {}),
    ...(proxy
      ? { agent: proxy, fetchAgent: proxy }
      : config.fetchAgent
        ? { fetchAgent: config.fetchAgent }
        : {}),
    qrTimeout: qrTimeoutMs,
    connectTimeoutMs: config.connectTimeoutMs ?? 20_000,
    keepAliveIntervalMs: config.keepAliveIntervalMs ?? 30_000,
    markOnlineOnConnect: session.settings.alwaysOnline,
    syncFullHistory: session.settings.syncHistory,
    shouldSyncHistoryMessage: () => session.settings.syncHistory,
    generateHighQualityLinkPreview: false,
    enableRecentMessageCache: true,
    fireInitQueries: true,
    // Patched Baileys (patches/@whiskeysockets__baileys@7.0.0-rc14.patch): every decrypted
    // message is stored here before its delivery receipt goes out. Unstored, it is never
    // acknowledged: WhatsApp delivers it again on the next connection.
    beforeReceipt: (msg) => storeBeforeReceipt(msg),
    // polls (with their vote key) and texts from the store, for retries and vote decryption
    getMessage: async (key) => {
      const chatId = preferPn(key.remoteJid, key.remoteJidAlt);
      if (!chatId || !key.id) return undefined;
      const stored = await options.getMessage(chatId, key.id).catch(() => null);
      return stored ? toWaContent(stored) : undefined;
    },
  });

  let closedByUs = false;
  let showingQr = false;
  let qrCount = 0;
  let readyForPairing: () => void = () => {};
  const pairingReady = new Promise<void>((resolve) => {
    readyForPairing = resolve;
  });
  const ownJid = () => (sock.user?.id ? jidNormalizedUser(sock.user.id) : null);
  const voteContext = {
    get ownJids() {
      return [sock.user?.id, sock.user?.lid].filter((j): j is string => !!j).map(jidNormalizedUser);
    },
    getMessage: options.getMessage,
    logger,
  };
  const emit = (event: ConnectorEvent) =>
    onEvent(event).catch((error) =>
      logger.error({ err: error, type: event.type }, 'storing a WhatsApp event failed'),
    );

  const inbound = (messages: WAMessage[]) => {
    const stored: InboundMessage[] = [];
    const others: ConnectorEvent[] = [];
    const senders = new Map<string, ContactInput>();
    const contacts: ConnectorEvent[] = [];
    for (const msg of messages) {
      const sender = senderContactOf(msg);
      if (sender) senders.set(sender.jid, { ...senders.get(sender.jid), ...sender });
      const mapped = mapWaMessage(msg, ownJid());
      if (!mapped) continue;
      if (Array.isArray(mapped)) {
        others.push(...mapped);
        continue;
      }
      if (mediaTypes.has(mapped.msgType)) {
        mapped.media = {
          download: () =>
            downloadMediaMessage(
              msg,
              'buffer',
              config.mediaRequestOptions ? { options: config.mediaRequestOptions } : {},
              {
                reuploadRequest: sock.updateMediaMessage,
                logger: toBaileysLogger(logger),
              },
            ) as Promise<Buffer>,
        };
      }
      stored.push(mapped);
    }
    if (senders.size > 0) contacts.push({ type: 'contacts', contacts: [...senders.values()] });
    return { stored, others, contacts };
  };

  /** What a message upsert stores: the messages, what they change (reactions, edits…), votes. */
  const upsertEvents = async (messages: WAMessage[]): Promise<ConnectorEvent[]> => {
    const { stored, others } = inbound(messages);
    const events: ConnectorEvent[] = [];
    if (stored.length) events.push({ type: 'messages', messages: stored, history: false });
    events.push(...others);
    for (const msg of messages.filter(isPollVote)) {
      const vote = await decryptVote(msg, voteContext).catch((error) => {
        logger.warn({ err: error, waid: msg.key.id }, 'poll vote could not be read');
        return null;
      });
      if (vote) events.push(vote);
    }
    return events;
  };

  // Messages stored before their receipt, so that their upsert does not store them again.
  const storedBeforeReceipt = new WeakSet<WAMessage>();
  // Patched Baileys decrypts the next message while one is stored: what arrives meanwhile is
  // stored together, in arrival order, one batch at a time.
  const toStore: { msg: WAMessage; resolve(): void; reject(error: unknown): void }[] = [];
  let storing = false;
  const storeBeforeReceipt = (msg: WAMessage): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      toStore.push({ msg, resolve, reject });
      if (!storing) void storeQueued();
    });
  const storeQueued = async (): Promise<void> => {
    storing = true;
    while (toStore.length > 0) {
      const batch = toStore.splice(0, maxStoreBatch);
      const messages = batch.map((b) => b.msg);
      // the key writes of their decryption, made before they were queued
      const keys = keysStored();
      try {
        for (const event of await upsertEvents(messages)) await onEvent(event, { unacknowledged: true });
        await keys;
      } catch (error) {
        // The gateway gave up (the database away for too long, or stopping): drop the socket,
        // so WhatsApp keeps this and every later message, and delivers them on the next connection.
        if (!closedByUs) sock.end(new Error('inbound messages cannot be stored'));
        for (const { reject } of [...batch, ...toStore.splice(0)]) reject(error);
        continue;
      }
      for (const { msg, resolve } of batch) {
        storedBeforeReceipt.add(msg);
        resolve();
      }
    }
    storing = false;
  };

  sock.ev.process(async (events) => {
    if (events['creds.update'])
      await saveCreds().catch((error) =>
        logger.error({ err: error, sessionId: session.id }, 'storing the WhatsApp creds failed'),
      );
    const update = events['connection.update'];
    if (update) {
      if (update.qr) {
        showingQr = true;
        const ttl = qrCount++ === 0 ? qrTimeoutMs : 20_000;
        await emit({ type: 'qr', qr: update.qr, expiresAt: new Date(Date.now() + ttl).toISOString() });
        readyForPairing();
      }
      if (update.connection === 'connecting') await emit({ type: 'connecting' });
      if (update.connection === 'open' && sock.user) {
        showingQr = false;
        const deviceJid = sock.user.id;
        await emit({
          type: 'open',
          deviceJid,
          phoneNumber: phoneOf(jidNormalizedUser(deviceJid)) ?? '',
          pushName: sock.user.name ?? sock.user.notify ?? null,
          lid: sock.user.lid ?? null,
        });
      }
      if (update.connection === 'close') {
        const closed = closedByUs
          ? { reason: 'closed_by_us' as const, message: 'closed by Zapgate' }
          : closeReasonOf(update.lastDisconnect?.error, showingQr);
        await emit({ type: 'close', ...closed });
      }
    }
    // the changes of this batch are stored together, in order, in one transaction
    const changes: StateChange[] = [];
    const flush = async () => {
      const batch = changes.splice(0);
      if (batch.length > 0)
        await emit(batch.length === 1 ? (batch[0] as StateChange) : { type: 'batch', changes: batch });
    };
    const report = async (event: ConnectorEvent) => {
      if (isStateChange(event)) changes.push(event);
      else {
        await flush();
        await emit(event);
      }
    };
    const upsert = events['messages.upsert'];
    if (upsert) {
      // own sends, notifications… (what was received is stored already, before its receipt)
      const fresh = upsert.messages.filter((m) => !storedBeforeReceipt.has(m));
      for (const event of await upsertEvents(fresh)) await report(event);
      for (const event of inbound(upsert.messages).contacts) await report(event);
    }
    const history = events['messaging-history.set'];
    if (history && session.settings.syncHistory) {
      const chats = history.chats.map(chatOf).filter((c) => c !== null);
      if (chats.length) await report({ type: 'chats', chats });
      const contacts = history.contacts.map(contactOf).filter((c) => c !== null);
      if (contacts.length) await report({ type: 'contacts', contacts });
      const { stored } = inbound(history.messages);
      if (stored.length) await report({ type: 'messages', messages: stored, history: true });
    }
    // a receipt (or an error ack) that comes while Baileys buffers events is folded into the
    // upsert of our own message instead of a `messages.update`: take its status from there
    const ownWithReceipt = (upsert?.messages ?? []).filter(
      (m) => m.key.fromMe && foldedReceipt.has(statusOf(m.status)),
    );
    for (const { key, update: change } of [
      ...ownWithReceipt.map((m) => ({ key: m.key, update: m })),
      ...(events['messages.update'] ?? []),
    ]) {
      const status = statusOf(change.status);
      if (status && key.id && key.remoteJid && key.fromMe) {
        const chatId = jidNormalizedUser(key.remoteJid);
        const error = status === 'failed' ? ackErrorOf(change) : null;
        await report({
          type: 'message.status',
          chatId: key.remoteJidAlt?.endsWith('@s.whatsapp.net')
            ? jidNormalizedUser(key.remoteJidAlt)
            : chatId,
          waid: key.id,
          status,
          ...(error ? { error } : {}),
        });
      }
    }
    const upserted = (events['chats.upsert'] ?? []).map((c) => chatOf(c)).filter((c) => c !== null);
    if (upserted.length) await report({ type: 'chats', chats: upserted });
    // updates (e.g. WhatsApp echoing our own archive/mute) must not bring back a deleted chat
    const updated = (events['chats.update'] ?? []).map((c) => chatOf(c)).filter((c) => c !== null);
    if (updated.length) await report({ type: 'chats', chats: updated, onlyExisting: true });
    for (const chatJid of events['chats.delete'] ?? []) await report({ type: 'chat.deleted', chatJid });
    const contacts = [...(events['contacts.upsert'] ?? []), ...(events['contacts.update'] ?? [])]
      .map(contactOf)
      .filter((c) => c !== null);
    const lid = events['lid-mapping.update'];
    if (lid?.pn && lid.lid)
      contacts.push({
        jid: jidNormalizedUser(lid.pn),
        lid: lid.lid,
        phoneNumber: phoneOf(jidNormalizedUser(lid.pn)),
      });
    if (contacts.length) await report({ type: 'contacts', contacts });
    if (events['groups.upsert']?.length)
      await report({ type: 'groups', groups: events['groups.upsert'].map(groupOf) });
    for (const partial of events['groups.update'] ?? []) {
      if (!partial.id) continue;
      const meta = await sock.groupMetadata(partial.id).catch(() => null);
      if (meta) await report({ type: 'groups', groups: [groupOf(meta)] });
    }
    const participants = events['group-participants.update'];
    if (participants) {
      await report({
        type: 'group.participants',
        groupJid: participants.id,
        action: participants.action as 'add' | 'remove' | 'promote' | 'demote',
        participants: participants.participants.map((p) =>
          typeof p === 'string' ? p : (p.phoneNumber ?? p.id),
        ),
        actor: participants.authorPn ?? participants.author ?? null,
      });
    }
    const presence = events['presence.update'];
    if (presence) {
      for (const [jid, data] of Object.entries(presence.presences)) {
        await report({
          type: 'presence',
          chatJid: presence.id,
          jid,
          presence: data.lastKnownPresence,
          lastSeen: data.lastSeen ? new Date(data.lastSeen * 1000).toISOString() : null,
        });
      }
    }
    await flush();
    for (const call of events.call ?? []) {
      await emit({
        type: 'call',
        callId: call.id,
        from: call.from,
        isVideo: !!call.isVideo,
        isGroup: !!call.isGroup,
        status: call.status,
      });
    }
  });

  const end = () => {
    closedByUs = true;
    sock.end(undefined);
  };

  const connection: Connection = {
    async close() {
      end();
    },
    async logout() {
      closedByUs = true;
      await sock.logout();
    },
    async requestPairingCode(phoneNumber) {
      await Promise.race([pairingReady, new Promise((r) => setTimeout(r, 15_000))]);
      return sock.requestPairingCode(phoneNumber);
    },
    newMessageId: () => generateMessageIDV2(sock.user?.id),
    rejectCall: (callId, from) => sock.rejectCall(callId, from),
    toJid,
    async send(to, content, sendOptions) {
      const quoted = sendOptions.quoted
        ? { key: keyOf(sendOptions.quoted), message: quotedContent(sendOptions.quoted.message) }
        : undefined;
      const sent = await sock.sendMessage(to, toBaileysContent(content, sendOptions, !!config.linkPreviews), {
        ...(sendOptions.waid ? { messageId: sendOptions.waid } : {}),
        ...(quoted ? { quoted } : {}),
      });
      if (!sent?.key.id) throw new Error('WhatsApp did not accept the message');
      const mapped = mapWaMessage(sent, ownJid());
      const message = mapped && !Array.isArray(mapped) ? mapped : null;
      return {
        waid: sent.key.id,
        chatId: to,
        timestamp: new Date().toISOString(),
        message: message ?? ({ chatId: to, waid: sent.key.id } as InboundMessage),
      };
    },
    async edit(chatId, waid, text) {
      await sock.sendMessage(chatId, { text, edit: { remoteJid: chatId, id: waid, fromMe: true } });
    },
    async revoke(chatId, waid, fromMe, senderJid) {
      await sock.sendMessage(chatId, { delete: keyOf({ chatId, waid, fromMe, senderJid }) });
    },
    async markRead(chatId, messages) {
      await sock.readMessages(messages.map((m) => ({ ...keyOf({ chatId, ...m }) })));
    },
    async sendPresence(chatId, presence) {
      await sock.sendPresenceUpdate(presence, chatId ?? undefined);
    },
    async modifyChat(chatId, change, last) {
      const lastMessages = last
        ? [
            {
              key: { remoteJid: chatId, id: last.waid, fromMe: last.fromMe },
              messageTimestamp: Math.floor(Date.parse(last.timestamp) / 1000),
            },
          ]
        : [];
      if ('archive' in change) await sock.chatModify({ archive: change.archive, lastMessages }, chatId);
      else if ('pin' in change) await sock.chatModify({ pin: change.pin }, chatId);
      else if ('muteUntil' in change)
        await sock.chatModify({ mute: change.muteUntil ? Date.parse(change.muteUntil) : null }, chatId);
      else if ('markRead' in change)
        await sock.chatModify({ markRead: change.markRead, lastMessages }, chatId);
      else await sock.chatModify({ delete: true, lastMessages }, chatId);
    },
    async checkNumbers(phoneNumbers) {
      const results = (await sock.onWhatsApp(...phoneNumbers)) ?? [];
      return phoneNumbers.map((phoneNumber) => {
        const digits = phoneNumber.replace(/\D/g, '');
        const hit = results.find((r) => r.jid.startsWith(`${digits}@`));
        return {
          phoneNumber: digits,
          jid: hit?.exists ? jidNormalizedUser(hit.jid) : null,
          exists: !!hit?.exists,
        };
      });
    },
    profilePictureUrl: (jid) => orNullWhenAbsent(sock.profilePictureUrl(jid, 'image'), 'get profile picture'),
    async setBlocked(jid, blocked) {
      await sock.updateBlockStatus(jid, blocked ? 'block' : 'unblock');
    },
    async updateProfile(change) {
      if (change.name !== undefined) await sock.updateProfileName(change.name);
      if (change.status !== undefined) await sock.updateProfileStatus(change.status);
      if (change.picture) await sock.updateProfilePicture(ownJid() ?? '', change.picture);
    },
    groups: guardAsync(createGroupOperations(sock), [
      'list',
      'get',
      'create',
      'update',
      'participants',
      'inviteCode',
      'revokeInvite',
      'join',
      'leave',
    ]),
  };
  return guardAsync(connection, [
    'logout',
    'requestPairingCode',
    'rejectCall',
    'send',
    'edit',
    'revoke',
    'markRead',
    'sendPresence',
    'modifyChat',
    'checkNumbers',
    'setBlocked',
    'updateProfile',
  ]);
}
