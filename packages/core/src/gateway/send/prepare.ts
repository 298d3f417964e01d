import type { Message, NewMessage } from '../../contracts/message.js';
import type { SendMessageBody } from '../../contracts/outbound.js';
import { GatewayError } from '../../errors.js';
import type { Connection, ConnectorSendOptions, OutboundContent } from '../../ports/connector.js';
import type { Store } from '../../ports/store.js';
import type { SendOptions } from '../api.js';
import { type MediaFetcher, resolveMedia } from '../media.js';
import type { GatewayTuning } from '../options.js';
import { storedContent } from '../outbound-content.js';
import type { RecipientCheck } from './recipient-check.js';

/** A send, ready to store and hand to the connection. */
export interface PreparedSend {
  sessionId: string;
  connection: Connection;
  /** The recipient JID. */
  to: string;
  /** The row to store as `pending`. */
  message: NewMessage & { waid: string };
  /** What the connection sends (media resolved to bytes). */
  outbound: OutboundContent;
  /** Keys of the quoted and reacted-to messages. */
  refs: Pick<ConnectorSendOptions, 'quoted' | 'target'>;
}

interface Deps {
  store: Store;
  tuning: GatewayTuning;
  fetchMedia: MediaFetcher;
  recipients: RecipientCheck;
}

/**
 * Request → prepared send: resolves the recipient (checking a new one is on WhatsApp),
 * the media bytes and the messages it quotes or reacts to, and builds the row to store.
 */
export async function prepareSend(
  deps: Deps,
  connection: Connection,
  sessionId: string,
  body: SendMessageBody,
  options: SendOptions,
): Promise<PreparedSend> {
  const to = connection.toJid(body.to);
  if (!to)
    throw new GatewayError('INVALID_RECIPIENT', `"${body.to}" is not a phone number or a WhatsApp JID`);
  await deps.recipients.check(connection, sessionId, to, body.checkNumber);
  const media =
    'media' in body
      ? await resolveMedia(body, options.upload, deps.fetchMedia, deps.tuning.media.maxBytes)
      : undefined;
  const quoted = body.quotedMessageId
    ? await findReferenced(deps.store, sessionId, to, body.quotedMessageId)
    : undefined;
  const target =
    body.type === 'reaction' ? await findReferenced(deps.store, sessionId, to, body.messageId) : undefined;
  const waid = connection.newMessageId();
  const { msgType, content, mediaInfo } = storedContent(
    body.type === 'reaction' ? { ...body, messageId: target!.waid } : body,
    media && { mimeType: media.mimeType, size: media.data.length, fileName: media.fileName },
  );
  const message = {
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
    origin: options.origin ?? 'api',
    status: 'pending',
    timestamp: new Date().toISOString(),
    metadata: {
      ...(body.mentions?.length ? { mentions: body.mentions } : {}),
      ...(body.viewOnce ? { viewOnce: true } : {}),
    },
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  } as PreparedSend['message'];
  const outbound = (
    media ? { ...body, data: media.data, mimeType: media.mimeType, fileName: media.fileName } : body
  ) as OutboundContent;
  return {
    sessionId,
    connection,
    to,
    message,
    outbound,
    refs: {
      ...(quoted ? { quoted: { ...keyOf(quoted), message: quoted } } : {}),
      ...(target ? { target: keyOf(target) } : {}),
    },
  };
}

const keyOf = (m: Message) => ({
  waid: m.waid,
  chatId: m.chatId,
  fromMe: m.isFromMe,
  senderJid: m.senderJid,
});

/** Finds a message by our id or by its waid in a chat. */
async function findReferenced(
  store: Store,
  sessionId: string,
  chatId: string,
  ref: string,
): Promise<Message> {
  const message = isUuid(ref)
    ? await store.messages.get(sessionId, ref)
    : await store.messages.getByWaid(sessionId, chatId, ref);
  if (!message)
    throw new GatewayError('MESSAGE_NOT_FOUND', `Message ${ref} does not exist in chat ${chatId}`);
  return message;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => uuidPattern.test(value);
