import { type TSchema, Type } from '@sinclair/typebox';
import { errorResponse } from '@zapgate/core';

/** The body of every error response (core's one schema). */
export { ErrorResponse } from '@zapgate/core';

const errorDescriptions: Record<number, string> = {
  400: 'Invalid request (`VALIDATION_FAILED`, `INVALID_JSON`, `INVALID_RECIPIENT`...)',
  401: 'Missing or wrong API key (`UNAUTHORIZED`)',
  403: 'The key does not reach this resource (`FORBIDDEN`)',
  404: 'Not found (`SESSION_NOT_FOUND`, `MESSAGE_NOT_FOUND`, `WHATSAPP_NOT_FOUND`...)',
  409: 'Conflict with the current state (`SESSION_NOT_CONNECTED`, `SESSION_NAME_TAKEN`...)',
  413: 'Body or media too large',
  422: 'Request understood but not processable',
  429: 'Too many requests (`RATE_LIMITED`, `SEND_QUEUE_FULL`): retry after the `Retry-After` header (seconds)',
  500: 'Unexpected error (`INTERNAL_ERROR`)',
  502: 'The WhatsApp connection failed (`CONNECTOR_FAILED`)',
  503: 'Temporarily unavailable (`SESSION_MOVING`, `SESSION_CONNECTING`, `GATEWAY_NOT_STARTED`): retry after the `Retry-After` header (seconds)',
  504: 'WhatsApp did not answer in time (`WHATSAPP_TIMEOUT`)',
};

const retryAfter = {
  'retry-after': Type.Integer({ minimum: 1, description: 'Seconds to wait before trying again' }),
};

const errorSchema = (status: number) => {
  const schema = errorResponse(errorDescriptions[status] ?? 'Error');
  // @fastify/swagger documents a response schema's `headers` as the response's headers
  return status === 429 || status === 503 ? { ...schema, headers: retryAfter } : schema;
};

/** Error statuses every authenticated route can answer. */
export const authErrors = [400, 401, 403, 500, 503] as const;

/**
 * The `response` part of a route schema: the success responses plus the error body for
 * every listed error status (and those every authenticated route can return).
 */
export function responses(
  success: Record<number, TSchema>,
  errors: readonly number[] = [],
  { authenticated = true }: { authenticated?: boolean } = {},
): Record<number, TSchema> {
  const all = new Set<number>([...(authenticated ? authErrors : [500]), ...errors]);
  const out: Record<number, TSchema> = { ...success };
  for (const status of [...all].sort()) out[status] = errorSchema(status);
  return out;
}

/** A response without a body. */
export const NoContent = Type.Null({ description: 'No content' });

/** `:sessionId` path parameter. */
export const SessionParams = Type.Object({
  sessionId: Type.String({ format: 'uuid', description: 'Session id' }),
});

/** `:sessionId/:messageId` path parameters. */
export const MessageParams = Type.Object({
  sessionId: Type.String({ format: 'uuid', description: 'Session id' }),
  messageId: Type.String({ format: 'uuid', description: 'Message id (ours, not the WhatsApp waid)' }),
});

/** Security requirement of routes reachable with a session key or the admin key. */
export const sessionSecurity = [{ bearerAuth: [] }, { apiKeyHeader: [] }];

/** A non-JSON response body, documented by media type (core's one helper). */
export { rawResponse } from '@zapgate/core';
