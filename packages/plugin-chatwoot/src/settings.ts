import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** A secret setting: sealed at rest, never returned in clear. */
const Secret = (description: string) =>
  Type.String({ minLength: 1, maxLength: 512, writeOnly: true, description });

/**
 * Per-session settings of the bridge (`PUT /v1/sessions/{sessionId}/plugins/chatwoot`). The
 * session is bridged while settings exist and `enabled` is true.
 */
export const ChatwootSettingsSchema = Type.Object(
  {
    /** @default true */
    enabled: Type.Boolean({ default: true, description: 'Bridge this session (false pauses it)' }),
    url: Type.String({
      format: 'uri',
      pattern: '^https?://',
      maxLength: 2048,
      description: 'Base URL of the Chatwoot installation, e.g. https://chatwoot.example.com',
    }),
    accountId: Type.Integer({
      minimum: 1,
      description: 'Chatwoot account id (the number in /app/accounts/<id>/…)',
    }),
    token: Secret('API access token of a Chatwoot administrator or agent (Profile settings → Access token)'),
    /** @default undefined: find or create the inbox by `inboxName` */
    inboxId: Type.Optional(Type.Integer({ minimum: 1, description: 'Use this API-channel inbox' })),
    /** @default 'WhatsApp' */
    inboxName: Type.String({
      minLength: 1,
      maxLength: 255,
      default: 'WhatsApp',
      description: 'Without inboxId: the API-channel inbox with this name, created when missing',
    }),
    /** @default undefined */
    webhookSecret: Type.Optional(
      Secret(
        "The inbox's webhook signing secret (Chatwoot 4.13+; read from the inbox when the bridge creates it)",
      ),
    ),
    /** @default false */
    signMessages: Type.Boolean({
      default: false,
      description: "Prepend the agent's name to messages sent to WhatsApp",
    }),
    /** @default '\n' */
    signDelimiter: Type.String({
      maxLength: 32,
      default: '\n',
      description: 'Between the agent name and the text',
    }),
    /** @default true */
    reopenConversation: Type.Boolean({
      default: true,
      description:
        "A new message reopens the chat's resolved conversation (false: a new conversation is made)",
    }),
    /** @default false */
    conversationPending: Type.Boolean({ default: false, description: 'New conversations start as pending' }),
    /** @default [] */
    ignoreJids: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      default: [],
      maxItems: 1000,
      description: 'Chats never bridged (JIDs, e.g. 5511999990000@s.whatsapp.net or …@g.us)',
    }),
    /** @default true */
    groups: Type.Boolean({ default: true, description: 'Bridge group chats (one conversation per group)' }),
    /** @default false */
    mergeBrazilContacts: Type.Boolean({
      default: false,
      description: 'Treat Brazilian numbers with and without the ninth digit as one contact',
    }),
    /** @default false */
    markRead: Type.Boolean({
      default: false,
      description: 'Agents opening or answering a conversation mark the chat read on WhatsApp',
    }),
    /** @default false */
    phoneMessagesAsNotes: Type.Boolean({
      default: false,
      description: 'Messages sent from the phone itself appear as private notes instead of outgoing messages',
    }),
    /** @default false */
    importContacts: Type.Boolean({ default: false, description: 'History import brings the contacts in' }),
    /** @default false */
    importMessages: Type.Boolean({
      default: false,
      description: 'History import brings the messages of the last daysLimit days in',
    }),
    /** @default 7 */
    daysLimit: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 7,
      description: 'Days of messages the import brings',
    }),
    /** @default true */
    commands: Type.Boolean({
      default: true,
      description:
        'The bot contact: agents write /status, /qr, /pairing <number>, /restart, /disconnect to it',
    }),
  },
  { additionalProperties: false },
);

/** Settings after defaults, secrets in clear (what the bridge reads). */
export type ChatwootSettings = Static<typeof ChatwootSettingsSchema>;

/** Settings with their defaults filled in; throws listing every problem when they are invalid. */
export function resolveSettings(input: unknown): ChatwootSettings {
  const settings = Value.Default(ChatwootSettingsSchema, structuredClone(input ?? {}));
  const problems = [...Value.Errors(ChatwootSettingsSchema, settings)].map(
    (e) => `${e.path || '/'} ${e.message}`,
  );
  if (problems.length > 0) throw new Error(`Invalid Chatwoot settings: ${problems.join('; ')}`);
  return settings as ChatwootSettings;
}
