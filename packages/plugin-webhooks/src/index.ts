export { CircuitBreaker, type CircuitBreakerOptions } from './delivery/circuit-breaker.js';
export {
  createHttpClient,
  type HttpClient,
  type HttpRequest,
  type HttpResult,
} from './delivery/http-client.js';
export { classifyStatus, type Outcome, retryDelay } from './delivery/schedule.js';
export { type SignatureHeaders, signPayload } from './delivery/signer.js';
export { type WebhooksErrorCode, WebhooksErrorCodes, webhooksError } from './error-codes.js';
export {
  chatKeyOf,
  payloadOf,
  subscribedTo,
  type WebhookPayload,
  type WebhookTestEvent,
  webhooksEventSchemas,
} from './events.js';
export { webhooksMigrations } from './migrations/index.js';
export {
  defaultRetrySchedule,
  type ResolvedWebhooksOptions,
  type WebhooksOptions,
  WebhooksOptionsSchema,
} from './options.js';
export { type WebhooksPlugin, webhooks } from './plugin.js';
export type { DeliveryStatus } from './repo/deliveries.js';
export {
  CreateWebhookBody,
  RotateSecretBody,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from './routes/schemas.js';
export { assertValidSecret, generateSecret } from './secrets.js';
export type { PublicDelivery, PublicSubscription } from './service.js';
export { checkWebhookUrl, type WebhookAddressOptions, webhookPolicy } from './url-policy.js';
export { webhooksVersion } from './version.js';
