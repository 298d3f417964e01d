import { type TSchema, Type } from '@sinclair/typebox';
import { Nullable, Page, Timestamp, withErrorResponses } from '@zapgate/core';

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (`VALIDATION_FAILED`, `WEBHOOKS_URL_NOT_ALLOWED`, `WEBHOOKS_INVALID_SECRET`, `WEBHOOKS_INVALID_HEADER`, `WEBHOOKS_UNKNOWN_EVENT`...)',
  403: 'The key does not reach this session (`FORBIDDEN`)',
  404: 'Not found (`SESSION_NOT_FOUND`, `WEBHOOKS_SUBSCRIPTION_NOT_FOUND`, `WEBHOOKS_DELIVERY_NOT_FOUND`)',
  409: 'Conflict (`WEBHOOKS_SUBSCRIPTION_DISABLED`)',
};

/** Success responses plus the error body for each listed status. */
export const withErrors = (success: Record<number, TSchema>, errors: readonly number[]) =>
  withErrorResponses(success, errors, errorDescriptions);

const EventPattern = Type.String({
  pattern: '^(\\*|[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*(\\.\\*)?)$',
  maxLength: 100,
  description: 'An event type (`message.received`), a prefix wildcard (`message.*`) or `*`',
});

const Events = Type.Array(EventPattern, {
  maxItems: 100,
  description: 'Event types and wildcards to deliver; empty: every event',
});
const Headers = Type.Record(
  Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" }),
  Type.String({ maxLength: 4096 }),
  {
    description: 'Extra headers sent with every delivery (not the signature or content headers)',
  },
);
const Url = Type.String({
  format: 'uri',
  maxLength: 2048,
  description: 'Where deliveries are POSTed (http or https)',
});
const Secret = Type.String({
  minLength: 10,
  maxLength: 200,
  description: '`whsec_` + base64 of 24 to 64 random bytes; generated when omitted',
});

/** A subscription as the API shows it (never its secret). */
export const WebhookSubscription = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    sessionId: Nullable(Type.String({ format: 'uuid', description: 'Null for a global subscription' })),
    url: Type.String(),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    disabledReason: Nullable(
      Type.String({ description: 'Why delivery stopped (e.g. the endpoint answered 410)' }),
    ),
    headers: Type.Record(Type.String(), Type.String()),
    description: Nullable(Type.String()),
    ordered: Type.Boolean({ description: 'Deliveries keep event order per chat' }),
    previousSecretExpiresAt: Nullable(Timestamp),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { title: 'WebhookSubscription' },
);

/** A subscription with its secret: only in the answers to create and rotate. */
export const WebhookSubscriptionWithSecret = Type.Composite(
  [WebhookSubscription, Type.Object({ secret: Type.String({ description: 'Shown once: store it now' }) })],
  { title: 'WebhookSubscriptionWithSecret' },
);

export const CreateWebhookBody = Type.Object(
  {
    url: Url,
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    headers: Type.Optional(Headers),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    ordered: Type.Optional(Type.Boolean({ default: false })),
    secret: Type.Optional(Secret),
  },
  { additionalProperties: false },
);

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-enables a disabled subscription' })),
    headers: Type.Optional(Headers),
    description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    ordered: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RotateSecretBody = Type.Object(
  {
    secret: Type.Optional(Secret),
    graceMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 30 * 24 * 3600 * 1000,
        description: 'How long the old secret keeps signing',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DeliveryStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivering'),
  Type.Literal('succeeded'),
  Type.Literal('failed'),
]);

/** A delivery of one event to one subscription. */
export const WebhookDelivery = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    webhookId: Type.String({ format: 'uuid' }),
    eventId: Type.String({ description: 'The event id, sent as `webhook-id`' }),
    eventType: Type.String(),
    sessionId: Nullable(Type.String({ format: 'uuid' })),
    status: DeliveryStatusSchema,
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Nullable(Timestamp),
    lastStatusCode: Nullable(Type.Integer()),
    lastError: Nullable(Type.String()),
    lastAttemptAt: Nullable(Timestamp),
    lastDurationMs: Nullable(Type.Integer()),
    createdAt: Timestamp,
    succeededAt: Nullable(Timestamp),
    payload: Type.Unknown({ description: 'The event envelope sent' }),
  },
  { title: 'WebhookDelivery' },
);

export const DeliveryPage = Page(WebhookDelivery);

export const DeliveryQuery = Type.Object({
  status: Type.Optional(DeliveryStatusSchema),
  eventType: Type.Optional(Type.String({ maxLength: 100 })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Created before' })),
  cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,19}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

export const RedeliveredCount = Type.Object({ count: Type.Integer({ minimum: 0 }) });

export const NoContent = Type.Null({ description: 'No content' });
