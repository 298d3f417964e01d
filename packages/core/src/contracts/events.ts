import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Chat } from './chat.js';
import { Nullable, Timestamp } from './common.js';
import { Contact } from './contact.js';
import { Group, GroupParticipantsAction } from './group.js';
import { Message, MessageStatus } from './message.js';
import { Session, SessionStatus } from './session.js';

const Presence = Type.Union([
  Type.Literal('available'),
  Type.Literal('unavailable'),
  Type.Literal('composing'),
  Type.Literal('recording'),
  Type.Literal('paused'),
]);

/**
 * Payload schemas of core's events. Plugins add their own through `GatewayPlugin.eventSchemas`
 * and the {@link GatewayEventMap} interface.
 */
export const coreEventSchemas = {
  'session.status': Type.Object({
    status: SessionStatus,
    previous: SessionStatus,
    reason: Nullable(Type.String()),
    session: Session,
  }),
  'session.qr': Type.Object({ qr: Type.String(), expiresAt: Timestamp }),
  'message.received': Type.Object({ message: Message }),
  'message.sent': Type.Object({ message: Message }),
  'message.status': Type.Object({
    messageId: Type.String(),
    chatId: Type.String(),
    waid: Type.String(),
    status: MessageStatus,
    previous: MessageStatus,
    error: Type.Optional(
      Type.String({
        description:
          "Why a message `failed`: WhatsApp's error code when it refused the message (e.g. `463`, the reach-out restriction)",
      }),
    ),
  }),
  'message.edited': Type.Object({ message: Message, previousContent: Type.Unknown() }),
  'message.deleted': Type.Object({
    messageId: Type.String(),
    chatId: Type.String(),
    waid: Type.String(),
    deletedBy: Nullable(Type.String()),
  }),
  'message.reaction': Type.Object({
    messageId: Nullable(Type.String({ description: 'Our id of the target message, when stored' })),
    chatId: Type.String(),
    targetWaid: Type.String(),
    senderJid: Type.String(),
    emoji: Type.String({ description: 'Empty when the reaction was removed' }),
  }),
  'message.poll_vote': Type.Object({
    messageId: Type.String({ description: 'Our id of the poll message' }),
    chatId: Type.String(),
    pollWaid: Type.String(),
    voterJid: Type.String(),
    options: Type.Array(Type.String(), {
      description: 'Names of the options the voter selected now; empty when the vote was retracted',
    }),
  }),
  'chat.upserted': Type.Object({ chat: Chat }),
  'chat.deleted': Type.Object({ chatJid: Type.String() }),
  'contact.upserted': Type.Object({ contact: Contact }),
  'group.upserted': Type.Object({ group: Group }),
  'group.participants': Type.Object({
    groupJid: Type.String(),
    action: GroupParticipantsAction,
    participants: Type.Array(Type.String()),
    actor: Nullable(Type.String()),
  }),
  'presence.updated': Type.Object({
    chatJid: Type.String(),
    jid: Type.String(),
    presence: Presence,
    lastSeen: Nullable(Timestamp),
  }),
  'call.received': Type.Object({
    callId: Type.String(),
    from: Type.String(),
    isVideo: Type.Boolean(),
    isGroup: Type.Boolean(),
    status: Type.String(),
    rejected: Type.Boolean(),
  }),
  'plugin.settings.updated': Type.Object({
    pluginId: Type.String({ description: 'The plugin whose settings of the session were set or deleted' }),
  }),
} satisfies Record<string, TSchema>;

/**
 * Payloads carrying a stored message use the {@link Message} type, whose `content` narrows
 * on `msgType` (the schema's static type is a plain union of both).
 */
type MessagePayloads = {
  'message.received': { message: Message };
  'message.sent': { message: Message };
  'message.edited': { message: Message; previousContent: unknown };
};

type CoreEventPayloads = Omit<
  { [K in keyof typeof coreEventSchemas]: Static<(typeof coreEventSchemas)[K]> },
  keyof MessagePayloads
> &
  MessagePayloads;

/**
 * Event type → payload. Plugins add events with declaration merging:
 *
 * @example
 * declare module '@zapgate/core' {
 *   interface GatewayEventMap { 'campaign.finished': { campaignId: string } }
 * }
 */
export interface GatewayEventMap extends CoreEventPayloads {}

/** Every event type: core's and those plugins declared. */
export type EventType = keyof GatewayEventMap & string;

/** The envelope every event travels in (event log, SSE, webhooks). */
export interface GatewayEvent<K extends EventType = EventType> {
  /** ULID: unique, sortable by time. Receivers deduplicate on it. */
  id: string;
  type: K;
  /** The session the event belongs to, `null` for gateway-wide events. */
  sessionId: string | null;
  occurredAt: string;
  data: GatewayEventMap[K];
}

/** Any event, as a union discriminated by `type`. */
export type AnyGatewayEvent = { [K in EventType]: GatewayEvent<K> }[EventType];

/** An event as stored in the log, with its position (the consumers' cursor). */
export type StoredEvent = AnyGatewayEvent & {
  /** Strictly increasing position in the log. */
  seq: number;
};

/** The envelope schema for a given payload schema (used for OpenAPI `webhooks`). */
export const EventEnvelope = <T extends TSchema>(type: string, data: T) =>
  Type.Object({
    id: Type.String({ description: 'ULID of the event; stable across redeliveries' }),
    type: Type.Literal(type),
    sessionId: Nullable(Type.String({ format: 'uuid' })),
    occurredAt: Timestamp,
    data,
  });

/**
 * True when `type` matches `pattern`: an exact name, `*` (everything) or a prefix wildcard
 * such as `message.*`.
 */
export function matchesEventPattern(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  return pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1));
}
