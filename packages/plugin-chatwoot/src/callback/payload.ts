import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

// The parts of Chatwoot's webhook payloads (WebhookListener: Message#webhook_data,
// Conversation#webhook_data, typing events) the bridge reads. Chatwoot sends more; extra
// properties are allowed.

const Id = Type.Integer({ minimum: 1 });
const Text = Type.Union([Type.String(), Type.Null()]);

export const CallbackAttachment = Type.Object({
  id: Id,
  file_type: Type.String(),
  data_url: Type.String(),
  extension: Type.Optional(Text),
});

export const CallbackConversation = Type.Object({
  id: Id,
  inbox_id: Id,
  status: Type.String(),
  contact_inbox: Type.Optional(Type.Object({ source_id: Type.String() })),
  meta: Type.Optional(
    Type.Object({
      sender: Type.Optional(
        Type.Object({ id: Id, identifier: Type.Optional(Text), phone_number: Type.Optional(Text) }),
      ),
    }),
  ),
});

export const CallbackMessage = Type.Object({
  event: Type.Union([Type.Literal('message_created'), Type.Literal('message_updated')]),
  id: Id,
  content: Type.Optional(Text),
  message_type: Type.String(),
  private: Type.Boolean(),
  source_id: Type.Optional(Text),
  content_attributes: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  attachments: Type.Optional(Type.Array(CallbackAttachment)),
  sender: Type.Optional(
    Type.Union([
      Type.Object({
        id: Type.Optional(Type.Integer()),
        name: Type.Optional(Text),
        type: Type.Optional(Type.String()),
      }),
      Type.Null(),
    ]),
  ),
  conversation: CallbackConversation,
});
export type CallbackMessage = Static<typeof CallbackMessage>;

export const CallbackStatus = Type.Intersect([
  Type.Object({
    event: Type.Union([Type.Literal('conversation_status_changed'), Type.Literal('conversation_updated')]),
  }),
  CallbackConversation,
]);
export type CallbackStatus = Static<typeof CallbackStatus>;

export const CallbackTyping = Type.Object({
  event: Type.Union([Type.Literal('conversation_typing_on'), Type.Literal('conversation_typing_off')]),
  conversation: CallbackConversation,
  is_private: Type.Optional(Type.Boolean()),
});
export type CallbackTyping = Static<typeof CallbackTyping>;

/** A callback the bridge acts on, or `ignored` (other events, or a shape it does not know). */
export type Callback =
  | { kind: 'message'; payload: CallbackMessage }
  | { kind: 'status'; payload: CallbackStatus }
  | { kind: 'typing'; payload: CallbackTyping }
  | { kind: 'ignored'; event: string };

/** Reads a parsed webhook body. */
export function parseCallback(body: unknown): Callback {
  const event =
    typeof (body as { event?: unknown } | null)?.event === 'string' ? (body as { event: string }).event : '';
  if (Value.Check(CallbackMessage, body)) return { kind: 'message', payload: body };
  if (Value.Check(CallbackStatus, body)) return { kind: 'status', payload: body };
  if (Value.Check(CallbackTyping, body)) return { kind: 'typing', payload: body };
  return { kind: 'ignored', event };
}

/** True for messages the bridge made itself (bridged from WhatsApp: `source_id` `WAID:…`). */
export const isBridgedFromWhatsapp = (message: CallbackMessage) =>
  message.source_id?.startsWith('WAID:') === true;

/**
 * True for what agents send to the contact: outgoing, not private, not made by the bridge.
 * Incoming messages, private notes, activity and template messages, and the bridge's own
 * echoes are never sent to WhatsApp.
 */
export function isAgentReply(message: CallbackMessage): boolean {
  return message.message_type === 'outgoing' && !message.private && !isBridgedFromWhatsapp(message);
}
