import type { Message } from '../contracts/message.js';
import type { SendMessageBody } from '../contracts/outbound.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Connection, OutboundContent, SentMessage } from '../ports/connector.js';
import type { MessageUpdate, Store } from '../ports/store.js';
import type { MessagesApi, SendOptions } from './api.js';
import { appendEvent } from './event-writer.js';
import { type MediaFetcher, resolveMedia } from './media.js';
import type { GatewayTuning } from './options.js';
import { storedContent } from './outbound-content.js';

interface Deps {
  store: Store;
  tuning: GatewayTuning;
  logger: Logger;
  fetchMedia: MediaFetcher;
  requireSession(id: string): Promise<unknown>;
  connection(sessionId: string): Promise<Connection>;
}

/** Sends, edits, revokes and reads messages. Sends are stored first, then sent in order. */
export function createMessagesApi(deps: Deps): MessagesApi {
  const { store, logger } = deps;
  const sendQueues = new Map<string, Promise<unknown>>();

  const requireMessage = async (sessionId: string, id: string): Promise<Message> => {
    await deps.requireSession(sessionId);
    const message = await store.messages.get(sessionId, id);
    if (!message)
      throw new GatewayError('MESSAGE_NOT_FOUND', `Message ${id} does not exist in session ${sessionId}`);
    return message;
  };

  /** Finds a message by our id or by its waid in a chat. */
  const findReferenced = async (sessionId: string, chatId: string, ref: string): Promise<Message> => {
    const message = isUuid(ref)
      ? await store.messages.get(sessionId, ref)
      : await store.messages.getByWaid(sessionId, chatId, ref);
    if (!message)
      throw new GatewayError('MESSAGE_NOT_FOUND', `Message ${ref} does not exist in chat ${chatId}`);
    return message;
  };

  const enqueue = (sessionId: string, task: () => Promise<void>) => {
    const next = (sendQueues.get(sessionId) ?? Promise.resolve()).then(task, task);
    sendQueues.set(
      sessionId,
      next.catch(() => {}),
    );
  };

  return {
    async send(sessionId: string, body: SendMessageBody, options: SendOptions = {}): Promise<Message> {
      await deps.requireSession(sessionId);
      if (options.idempotencyKey) {
        const existing = await store.messages.getByIdempotencyKey(sessionId, options.idempotencyKey);
        if (existing) return existing;
      }
      const connection = await deps.connection(sessionId);
      const to = connection.toJid(body.to);
      if (!to)
        throw new GatewayError('INVALID_RECIPIENT', `"${body.to}" is not a phone number or a WhatsApp JID`);
      if (body.checkNumber && !to.endsWith('@g.us')) {
        const [result] = await connection.checkNumbers([to.split('@')[0]!]);
        if (!result?.exists) throw new GatewayError('NOT_ON_WHATSAPP', `${body.to} is not on WhatsApp`);
      }
      const media =
        'media' in body
          ? await resolveMedia(body, options.upload, deps.fetchMedia, deps.tuning.media.maxBytes)
          : undefined;
      const quoted = body.quotedMessageId
        ? await findReferenced(sessionId, to, body.quotedMessageId)
        : undefined;
      const target =
        body.type === 'reaction' ? await findReferenced(sessionId, to, body.messageId) : undefined;
      const waid = connection.newMessageId();
      const { msgType, content, mediaInfo } = storedContent(
        body.type === 'reaction' ? { ...body, messageId: target!.waid } : body,
        media && { mimeType: media.mimeType, size: media.data.length, fileName: media.fileName },
      );
      const { message: pending, inserted } = await store.messages.insert({
        sessionId,
        chatId: to,
        waid,
        msgType,
        content,
        mediaInfo,
        senderJid: null,
        senderName: null,
        isFromMe: true,
        quotedMsgId: quoted?.waid ?? null,
        status: 'pending',
        timestamp: new Date().toISOString(),
        metadata: {
          ...(body.mentions?.length ? { mentions: body.mentions } : {}),
          ...(body.viewOnce ? { viewOnce: true } : {}),
        },
        ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
      });
      if (!inserted) return pending; // a concurrent retry with the same key won

      const outbound = (
        media ? { ...body, data: media.data, mimeType: media.mimeType, fileName: media.fileName } : body
      ) as OutboundContent;
      const keyOf = (m: Message) => ({
        waid: m.waid,
        chatId: m.chatId,
        fromMe: m.isFromMe,
        senderJid: m.senderJid,
      });
      enqueue(sessionId, async () => {
        try {
          const sent = await connection.send(to, outbound, {
            waid,
            ...(quoted ? { quoted: keyOf(quoted) } : {}),
            ...(target ? { target: keyOf(target) } : {}),
          });
          await store.transaction(async (tx) => {
            const moved = await tx.messages.advanceStatus(sessionId, to, waid, 'sent');
            const message = moved?.message ?? (await tx.messages.get(sessionId, pending.id))!;
            const change = sentDetails(message, sent.message);
            const final = change ? await tx.messages.update(sessionId, pending.id, change) : message;
            await appendEvent(tx, 'message.sent', sessionId, { message: final });
          });
        } catch (error) {
          logger.warn({ err: error, sessionId, waid }, 'send failed');
          await store.transaction(async (tx) => {
            const moved = await tx.messages.advanceStatus(sessionId, to, waid, 'failed');
            if (!moved) return;
            await tx.messages.update(sessionId, pending.id, {
              metadata: {
                ...moved.message.metadata,
                error: error instanceof Error ? error.message : String(error),
              },
            });
            await appendEvent(tx, 'message.status', sessionId, {
              messageId: pending.id,
              chatId: to,
              waid,
              status: 'failed',
              previous: moved.previous,
            });
          });
        }
      });
      return pending;
    },

    get: requireMessage,

    async list(sessionId, filter = {}) {
      await deps.requireSession(sessionId);
      return store.messages.list(sessionId, filter);
    },

    async edit(sessionId, id, text) {
      const message = await requireMessage(sessionId, id);
      if (!message.isFromMe)
        throw new GatewayError('VALIDATION_FAILED', 'Only messages sent by this session can be edited');
      if (message.msgType !== 'text')
        throw new GatewayError('VALIDATION_FAILED', 'Only text messages can be edited');
      const connection = await deps.connection(sessionId);
      await connection.edit(message.chatId, message.waid, text);
      return store.transaction(async (tx) => {
        const edits = [
          ...(message.metadata.edits ?? []),
          { content: message.content, editedAt: new Date().toISOString() },
        ];
        const updated = await tx.messages.update(sessionId, id, {
          content: { text },
          metadata: { ...message.metadata, edits },
        });
        await appendEvent(tx, 'message.edited', sessionId, {
          message: updated,
          previousContent: message.content,
        });
        return updated;
      });
    },

    async revoke(sessionId, id) {
      const message = await requireMessage(sessionId, id);
      const connection = await deps.connection(sessionId);
      await connection.revoke(message.chatId, message.waid, message.isFromMe, message.senderJid);
      return store.transaction(async (tx) => {
        const updated = await tx.messages.update(sessionId, id, {
          metadata: { ...message.metadata, deletedAt: new Date().toISOString() },
        });
        await appendEvent(tx, 'message.deleted', sessionId, {
          messageId: id,
          chatId: message.chatId,
          waid: message.waid,
          deletedBy: null,
        });
        return updated;
      });
    },

    async markRead(sessionId, chatId, messageIds) {
      await deps.requireSession(sessionId);
      const connection = await deps.connection(sessionId);
      const messages = messageIds?.length
        ? await Promise.all(messageIds.map((id) => requireMessage(sessionId, id)))
        : (await store.messages.list(sessionId, { chatId, isFromMe: false, limit: 20 })).items;
      if (messages.length === 0) return;
      await connection.markRead(
        chatId,
        messages.map((m) => ({ waid: m.waid, fromMe: m.isFromMe, senderJid: m.senderJid })),
      );
    },
  };
}

/** Metadata the connector learns only by sending (a poll's vote key). */
const sentMetadataKeys = ['messageSecret'] as const;

/** What a send adds to the stored message (media details, metadata), or `null`. */
function sentDetails(stored: Message, sent: SentMessage['message']): MessageUpdate | null {
  const change: MessageUpdate = {};
  if (sent.mediaInfo && stored.mediaInfo) change.mediaInfo = { ...stored.mediaInfo, ...sent.mediaInfo };
  const learned = sentMetadataKeys.filter((key) => sent.metadata?.[key] !== undefined);
  if (learned.length)
    change.metadata = {
      ...stored.metadata,
      ...Object.fromEntries(learned.map((key) => [key, sent.metadata?.[key]])),
    };
  return Object.keys(change).length ? change : null;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => uuidPattern.test(value);
