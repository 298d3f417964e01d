import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/** Delivery status of a message; it only ever moves forward (except to `failed`). */
export const MessageStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sent'),
  Type.Literal('delivered'),
  Type.Literal('read'),
  Type.Literal('played'),
  Type.Literal('failed'),
]);
export type MessageStatus = Static<typeof MessageStatus>;

const statusRank: Record<MessageStatus, number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
  failed: -1,
};

/**
 * True when a message in status `from` may move to `to` (receipts never go backwards).
 * `failed` follows `pending` (the send threw) or `sent` (WhatsApp refused it with an error ack
 * after accepting it); nothing follows `failed`.
 */
export function isStatusAdvance(from: MessageStatus, to: MessageStatus): boolean {
  if (from === 'failed') return false;
  if (to === 'failed') return from === 'pending' || from === 'sent';
  return statusRank[to] > statusRank[from];
}

const Caption = Type.Optional(Type.String({ maxLength: 4096 }));

/** Content schemas, one per message type. Binary media lives in `mediaInfo`, not here. */
export const MessageContents = {
  text: Type.Object({ text: Type.String(), matchedUrl: Type.Optional(Type.String()) }),
  image: Type.Object({ caption: Caption }),
  video: Type.Object({ caption: Caption, gif: Type.Optional(Type.Boolean()) }),
  audio: Type.Object({ voiceNote: Type.Boolean() }),
  document: Type.Object({ caption: Caption, fileName: Type.Optional(Type.String()) }),
  sticker: Type.Object({ animated: Type.Optional(Type.Boolean()) }),
  location: Type.Object({
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    name: Type.Optional(Type.String()),
    address: Type.Optional(Type.String()),
    live: Type.Optional(Type.Boolean()),
  }),
  contact: Type.Object({
    contacts: Type.Array(Type.Object({ displayName: Type.String(), vcard: Type.String() }), { minItems: 1 }),
  }),
  reaction: Type.Object({
    targetWaid: Type.String(),
    emoji: Type.String({ description: 'Empty when removed' }),
  }),
  poll: Type.Object({
    name: Type.String(),
    options: Type.Array(Type.String(), { minItems: 1 }),
    selectableCount: Type.Integer({ minimum: 0 }),
  }),
  unsupported: Type.Object({ kind: Type.String({ description: 'The WhatsApp message kind' }) }),
} satisfies Record<string, TSchema>;

/** Every message type Zapgate understands. */
export type MessageType = keyof typeof MessageContents;
export const messageTypes = Object.keys(MessageContents) as MessageType[];
export const MessageType = Type.Union(messageTypes.map((t) => Type.Literal(t)));

/** The content of a message of type `T`. */
export type MessageContent<T extends MessageType = MessageType> = Static<(typeof MessageContents)[T]>;

/** Where a message's media is and what it is. */
export const MediaInfo = Type.Object({
  mimeType: Type.String(),
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  sha256: Type.Optional(Type.String({ description: 'Hex SHA-256 of the plain file' })),
  fileName: Type.Optional(Type.String()),
  path: Type.Optional(
    Type.String({ description: 'Reference of the file in the media store once downloaded' }),
  ),
  url: Type.Optional(
    Type.String({
      description: 'Where clients fetch the stored file; added by the host serving the message, never stored',
    }),
  ),
  duration: Type.Optional(Type.Number()),
  width: Type.Optional(Type.Integer()),
  height: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String({ description: 'Why the media could not be stored' })),
});
export type MediaInfo = Static<typeof MediaInfo>;

/** Reactions, edits, mentions, poll votes and other details of a message. */
export const MessageMetadata = Type.Object(
  {
    reactions: Type.Optional(
      Type.Array(Type.Object({ senderJid: Type.String(), emoji: Type.String(), at: Timestamp })),
    ),
    edits: Type.Optional(Type.Array(Type.Object({ content: Type.Unknown(), editedAt: Timestamp }))),
    mentions: Type.Optional(Type.Array(Type.String())),
    pollVotes: Type.Optional(
      Type.Array(Type.Object({ voterJid: Type.String(), options: Type.Array(Type.String()), at: Timestamp })),
    ),
    deletedAt: Type.Optional(Timestamp),
    viewOnce: Type.Optional(Type.Boolean()),
    ephemeral: Type.Optional(Type.Boolean()),
    forwarded: Type.Optional(Type.Boolean()),
    error: Type.Optional(Type.String()),
    ignoredBy: Type.Optional(
      Type.String({
        description:
          'Id of the plugin whose `ignoreInbound` hook marked this inbound message ignored: stored, but its `message.received` event reaches no plugin',
      }),
    ),
    messageSecret: Type.Optional(
      Type.String({ description: "Base64 key of a poll's votes (`messageContextInfo.messageSecret`)" }),
    ),
  },
  { additionalProperties: true },
);
export type MessageMetadata = Static<typeof MessageMetadata>;

/**
 * Who sent an outgoing message: `api` (a REST or SDK caller), `plugin:<id>` (a plugin, through
 * its context), `phone` (the phone itself or another linked device). Bridges compare it with
 * their own origin so they never echo their own sends.
 */
export const SendOrigin = Type.String({
  pattern: '^(api|phone|plugin:[a-z][a-z0-9-]*)$',
  description: 'Who sent it: `api`, `plugin:<id>` or `phone`; `null` for messages received',
});
/** See {@link SendOrigin}. */
export type SendOrigin = 'api' | 'phone' | `plugin:${string}`;

/** A stored message, inbound or outbound. */
export const Message = Type.Object({
  id: Type.String({ format: 'uuid' }),
  sessionId: Type.String({ format: 'uuid' }),
  chatId: Type.String({ description: 'JID of the chat' }),
  waid: Type.String({ description: 'WhatsApp message id, unique per session and chat' }),
  msgType: MessageType,
  content: Type.Union(Object.values(MessageContents)),
  mediaInfo: Nullable(MediaInfo),
  senderJid: Nullable(Type.String()),
  senderName: Nullable(Type.String()),
  isFromMe: Type.Boolean(),
  quotedMsgId: Nullable(Type.String({ description: 'waid of the quoted message' })),
  origin: Nullable(SendOrigin),
  status: MessageStatus,
  timestamp: Timestamp,
  metadata: MessageMetadata,
});

type MessageBody = { [T in MessageType]: { msgType: T; content: MessageContent<T> } }[MessageType];
/** A stored message; `content` is typed by `msgType` (a check on `msgType` narrows it). */
export type Message = Omit<Static<typeof Message>, 'msgType' | 'content' | 'origin'> & {
  origin: SendOrigin | null;
} & MessageBody;

/** A message to store: what the connector saw, without the ids the store assigns. */
export type NewMessage = Omit<Message, 'id' | 'status' | 'metadata' | 'mediaInfo' | 'origin'> & {
  id?: string;
  status?: MessageStatus;
  metadata?: MessageMetadata;
  mediaInfo?: MediaInfo | null;
  /** @default `phone` for messages from this account, `null` for messages received */
  origin?: SendOrigin | null;
  /** Set on sends made with an `Idempotency-Key`. */
  idempotencyKey?: string;
  /** Hash of the send request, stored with its idempotency key to refuse a reuse. */
  requestHash?: string;
};
