import { GatewayError } from '@zapgate/core';

/** Every error code of `@zapgate/plugin-chatwoot`, with the HTTP status it is answered with. */
export const ChatwootErrorCodes = {
  /** Chatwoot refused the API token (401/403): the bridge stops until the settings change. */
  CHATWOOT_UNAUTHORIZED: 502,
  /** The configured inbox does not exist (deleted, or a wrong id): the bridge stops. */
  CHATWOOT_INBOX_NOT_FOUND: 502,
  /** A contact, conversation or message Chatwoot no longer has. */
  CHATWOOT_NOT_FOUND: 502,
  /** Chatwoot refused a request (400/422): retrying the same request cannot help. */
  CHATWOOT_REJECTED: 502,
  /** Chatwoot is down, overloaded or rate limiting (5xx, 429, connection failures): retried. */
  CHATWOOT_UNAVAILABLE: 503,
  /** Chatwoot did not answer in time: retried. */
  CHATWOOT_TIMEOUT: 504,
  /** Chatwoot answered something that is not the JSON it documents. */
  CHATWOOT_BAD_RESPONSE: 502,
  /** The Chatwoot URL may not be reached (a private address not allowed by the host). */
  CHATWOOT_URL_NOT_ALLOWED: 400,
  /** An agent's attachment Chatwoot never served (still missing after the retries). */
  CHATWOOT_ATTACHMENT_UNAVAILABLE: 502,
  /** A callback without a valid signature or token. */
  CHATWOOT_CALLBACK_UNAUTHORIZED: 401,
  /** The session has no Chatwoot settings (or they are disabled). */
  CHATWOOT_NOT_CONFIGURED: 404,
  /** The session's bridge is stopped (a refused token, a deleted inbox) until its settings change. */
  CHATWOOT_BRIDGE_STOPPED: 409,
  /** No history import ran for the session. */
  CHATWOOT_IMPORT_NOT_FOUND: 404,
} as const;

/** A code of this plugin. */
export type ChatwootErrorCode = keyof typeof ChatwootErrorCodes;

/** What a failed Chatwoot call tells its caller (carried as the error's `details`). */
export interface ChatwootFailure {
  /** HTTP status from Chatwoot; 0 when there was no answer. */
  status: number;
  /** Worth trying again later (outages, rate limits, timeouts). */
  retryable: boolean;
  /** Stops the session's bridge: retrying cannot help until the settings change. */
  fatal: boolean;
  /** How long Chatwoot asked to wait (`Retry-After`), in ms. */
  retryAfterMs?: number;
  /** The API operation, e.g. `POST /conversations/{id}/messages`. */
  operation: string;
}

/** A {@link GatewayError} with this plugin's code and its registered status. */
export function chatwootError(
  code: ChatwootErrorCode,
  message: string,
  options: { cause?: unknown; details?: unknown } = {},
): GatewayError {
  return new GatewayError(code, message, { statusCode: ChatwootErrorCodes[code], ...options });
}

/** The {@link ChatwootFailure} of an error thrown by the client, or null for anything else. */
export function failureOf(error: unknown): ChatwootFailure | null {
  const details = (error as { details?: unknown } | null)?.details as Partial<ChatwootFailure> | undefined;
  return details && typeof details.retryable === 'boolean' ? (details as ChatwootFailure) : null;
}
