import { type Static, Type } from '@sinclair/typebox';

const Direction = Type.Union([Type.Literal('to_chatwoot'), Type.Literal('to_whatsapp')], {
  description:
    'to_chatwoot: a WhatsApp change shown in Chatwoot; to_whatsapp: an agent action sent to WhatsApp',
});

/** Payload schemas of the events this plugin emits (documented under OpenAPI `webhooks`). */
export const chatwootEventSchemas = {
  'chatwoot.bridged': Type.Object({
    direction: Direction,
    kind: Type.String({ description: 'message, edit, delete, reaction, status, typing, command…' }),
    chatJid: Type.Union([Type.String(), Type.Null()], { description: 'The WhatsApp chat, when known' }),
    waid: Type.Union([Type.String(), Type.Null()], {
      description: 'The WhatsApp message id, when there is one',
    }),
    chatwootMessageId: Type.Union([Type.Integer(), Type.Null()]),
    conversationId: Type.Union([Type.Integer(), Type.Null()]),
  }),
  'chatwoot.failed': Type.Object({
    direction: Direction,
    kind: Type.String(),
    chatJid: Type.Union([Type.String(), Type.Null()]),
    waid: Type.Union([Type.String(), Type.Null()]),
    chatwootMessageId: Type.Union([Type.Integer(), Type.Null()]),
    code: Type.String({ description: 'A stable error code (CHATWOOT_REJECTED, NOT_ON_WHATSAPP…)' }),
    reason: Type.String(),
  }),
  'chatwoot.bridge': Type.Object({
    status: Type.Union([Type.Literal('running'), Type.Literal('stopped')]),
    code: Type.Union([Type.String(), Type.Null()], {
      description: 'Why it stopped (CHATWOOT_UNAUTHORIZED…)',
    }),
    reason: Type.Union([Type.String(), Type.Null()]),
    inboxId: Type.Union([Type.Integer(), Type.Null()]),
  }),
  'chatwoot.import.progress': Type.Object({
    status: Type.Union([Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
    phase: Type.Union([Type.Literal('contacts'), Type.Literal('messages'), Type.Literal('done')]),
    contacts: Type.Integer({ minimum: 0, description: 'Contacts imported so far' }),
    messages: Type.Integer({ minimum: 0, description: 'Messages imported so far' }),
    skipped: Type.Integer({ minimum: 0, description: 'Messages already in Chatwoot (not imported again)' }),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
};

export type ChatwootBridgedEvent = Static<(typeof chatwootEventSchemas)['chatwoot.bridged']>;
export type ChatwootFailedEvent = Static<(typeof chatwootEventSchemas)['chatwoot.failed']>;
export type ChatwootBridgeEvent = Static<(typeof chatwootEventSchemas)['chatwoot.bridge']>;
export type ChatwootImportProgressEvent = Static<(typeof chatwootEventSchemas)['chatwoot.import.progress']>;

declare module '@zapgate/core' {
  interface GatewayEventMap {
    /** A WhatsApp change reached Chatwoot, or an agent action reached WhatsApp. */
    'chatwoot.bridged': ChatwootBridgedEvent;
    /** Something could not be bridged (after its retries, or at once when retrying cannot help). */
    'chatwoot.failed': ChatwootFailedEvent;
    /** The session's bridge started, or stopped (a refused token, a deleted inbox). */
    'chatwoot.bridge': ChatwootBridgeEvent;
    /** Progress of a history import. */
    'chatwoot.import.progress': ChatwootImportProgressEvent;
  }
}
