export {
  createZapgateClient,
  type EventStreamOptions,
  type SendMessageBody,
  type ZapgateClient,
  type ZapgateClientOptions,
  type ZapgateError,
  type ZapgateSchemas,
} from './client.js';
export {
  isEventType,
  isMessageReceived,
  isMessageStatus,
  isSessionQr,
  isSessionStatus,
  type ZapgateEvent,
  type ZapgateEventType,
} from './events.js';
export { isRetryable, type RetryOptions, retryingFetch } from './retry.js';
export type { components, operations, paths, webhooks } from './schema.js';
export { readSse, SseError, type SseOptions } from './sse.js';
export { verifyWebhook, type WebhookHeaders, WebhookSignatureError } from './webhooks.js';
