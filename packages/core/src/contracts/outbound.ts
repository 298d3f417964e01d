import { type Static, Type } from '@sinclair/typebox';

const Recipient = Type.String({
  minLength: 3,
  maxLength: 128,
  description: 'Phone number in international format (digits, optional +) or a JID',
  examples: ['15550002222', '15550002222@s.whatsapp.net'],
});

const common = {
  to: Recipient,
  quotedMessageId: Type.Optional(Type.String({ description: 'Our id or the waid of a message to quote' })),
  mentions: Type.Optional(Type.Array(Type.String(), { description: 'JIDs or phone numbers to mention' })),
  viewOnce: Type.Optional(Type.Boolean()),
  checkNumber: Type.Optional(
    Type.Boolean({
      description:
        'Check the number is on WhatsApp first (404 NOT_ON_WHATSAPP). When omitted, a number is checked before the first send to a chat the session does not have yet (the answer cached); `true` checks every send, `false` never',
    }),
  ),
};

/** Where outbound media comes from: a URL to fetch, or base64 bytes. */
export const MediaSource = Type.Union([
  Type.Object({ url: Type.String({ format: 'uri' }) }),
  Type.Object({ base64: Type.String({ minLength: 1 }) }),
]);
export type MediaSource = Static<typeof MediaSource>;

const media = {
  ...common,
  media: MediaSource,
  mimeType: Type.Optional(Type.String()),
  fileName: Type.Optional(Type.String()),
};

/** The body of `POST /v1/sessions/{id}/messages`, discriminated by `type`. */
export const SendMessageBody = Type.Union([
  Type.Object({
    type: Type.Literal('text'),
    ...common,
    text: Type.String({ minLength: 1, maxLength: 65536 }),
    linkPreview: Type.Optional(Type.Boolean({ default: false })),
  }),
  Type.Object({ type: Type.Literal('image'), ...media, caption: Type.Optional(Type.String()) }),
  Type.Object({
    type: Type.Literal('video'),
    ...media,
    caption: Type.Optional(Type.String()),
    gif: Type.Optional(Type.Boolean()),
  }),
  Type.Object({
    type: Type.Literal('audio'),
    ...media,
    voiceNote: Type.Optional(Type.Boolean({ default: false })),
  }),
  Type.Object({ type: Type.Literal('document'), ...media, caption: Type.Optional(Type.String()) }),
  Type.Object({ type: Type.Literal('sticker'), ...media }),
  Type.Object({
    type: Type.Literal('location'),
    ...common,
    latitude: Type.Number({ minimum: -90, maximum: 90 }),
    longitude: Type.Number({ minimum: -180, maximum: 180 }),
    name: Type.Optional(Type.String()),
    address: Type.Optional(Type.String()),
  }),
  Type.Object({
    type: Type.Literal('contact'),
    ...common,
    contacts: Type.Array(
      Type.Object({
        name: Type.String({ minLength: 1 }),
        phoneNumber: Type.String({ pattern: '^\\+?[0-9]{5,20}$' }),
      }),
      { minItems: 1, maxItems: 20 },
    ),
  }),
  Type.Object({
    type: Type.Literal('reaction'),
    ...common,
    messageId: Type.String({ description: 'Our id or the waid of the message to react to' }),
    emoji: Type.String({ maxLength: 16, description: 'Empty string removes the reaction' }),
  }),
  Type.Object({
    type: Type.Literal('poll'),
    ...common,
    name: Type.String({ minLength: 1, maxLength: 255 }),
    options: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 2, maxItems: 12 }),
    selectableCount: Type.Optional(Type.Integer({ minimum: 0, default: 1 })),
  }),
]);
export type SendMessageBody = Static<typeof SendMessageBody>;
export type SendMessageType = SendMessageBody['type'];
