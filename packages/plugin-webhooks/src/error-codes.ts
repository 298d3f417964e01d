import { GatewayError } from '@zapgate/core';

/** Every error code of `@zapgate/plugin-webhooks`, with its HTTP status. */
export const WebhooksErrorCodes = {
  WEBHOOKS_SUBSCRIPTION_NOT_FOUND: 404,
  WEBHOOKS_DELIVERY_NOT_FOUND: 404,
  WEBHOOKS_URL_NOT_ALLOWED: 400,
  WEBHOOKS_INVALID_SECRET: 400,
  WEBHOOKS_INVALID_HEADER: 400,
  /** An `events` pattern matches no event type this gateway emits (a typo such as `mesage.*`). */
  WEBHOOKS_UNKNOWN_EVENT: 400,
  WEBHOOKS_INVALID_CURSOR: 400,
  WEBHOOKS_SUBSCRIPTION_DISABLED: 409,
} as const;

/** A code of this plugin. */
export type WebhooksErrorCode = keyof typeof WebhooksErrorCodes;

/** A {@link GatewayError} with this plugin's code and its registered status. */
export function webhooksError(code: WebhooksErrorCode, message: string, cause?: unknown): GatewayError {
  return new GatewayError(code, message, {
    statusCode: WebhooksErrorCodes[code],
    ...(cause === undefined ? {} : { cause }),
  });
}
