// The gateway plugin

export {
  type ChatwootBridgedEvent,
  type ChatwootBridgeEvent,
  type ChatwootFailedEvent,
  type ChatwootImportProgressEvent,
  chatwootEventSchemas,
} from './events.js';
export { chatwootMigrations } from './migrations/index.js';
export { type ChatwootOptions, ChatwootOptionsSchema, type ResolvedChatwootOptions } from './options.js';
export { type ChatwootPlugin, chatwoot } from './plugin.js';
export { type ChatwootSettings, ChatwootSettingsSchema, resolveSettings } from './settings.js';
export { chatwootVersion } from './version.js';

// Chatwoot Application API client

// Callbacks from Chatwoot
export {
  type Callback,
  CallbackMessage,
  CallbackStatus,
  CallbackTyping,
  isAgentReply,
  isBridgedFromWhatsapp,
  parseCallback,
} from './callback/payload.js';
export { type CallbackCheck, type CallbackVerdict, secretsEqual, verifyCallback } from './callback/verify.js';
export { type ChatwootClient, type ContactFields, chatwootClient } from './client/client.js';
export type { CallOptions, ChatwootConnection, FetchLike } from './client/http.js';
export type {
  ChatwootAttachment,
  ChatwootContact,
  ChatwootContactInbox,
  ChatwootConversation,
  ChatwootConversationStatus,
  ChatwootInbox,
  ChatwootMessage,
  ChatwootMessageStatus,
  ChatwootUpload,
  NewChatwootMessage,
} from './client/types.js';
// Contacts, formatting, mapping
export { brazilianVariant, isGroupJid, isLidJid, phoneCandidates, phoneOfJid } from './contacts/phone.js';
export {
  type ChatwootErrorCode,
  ChatwootErrorCodes,
  type ChatwootFailure,
  chatwootError,
  failureOf,
} from './error-codes.js';
export { markdownToWhatsapp } from './format/markdown-to-whatsapp.js';
export { whatsappToMarkdown } from './format/whatsapp-to-markdown.js';
export { extensionOf } from './mapping/media.js';
export { sourceIdOf, waidOfSourceId } from './mapping/source-id.js';
export {
  type ChatwootDraft,
  mapLink,
  type ToChatwootContext,
  toChatwootDraft,
  toChatwootEdit,
  vcardPhones,
} from './mapping/to-chatwoot.js';
export {
  type PlannedSend,
  planWhatsappSends,
  type SignatureOptions,
  whatsappText,
} from './mapping/to-whatsapp.js';
