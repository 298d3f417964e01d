import { type CoreErrorCode, CoreErrorCodes } from './error-codes.js';

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The wire shape of every error Zapgate returns over HTTP. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

/** Options of a {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** HTTP status. @default the status registered for a core code, else 500 */
  statusCode?: number;
  /** The underlying error, kept for logs and never sent to clients. */
  cause?: unknown;
  /** Structured details (e.g. every validation problem), sent to clients. */
  details?: unknown;
  /** When the client may try again, in seconds (a `Retry-After` header over HTTP). @default none */
  retryAfterSeconds?: number;
}

/**
 * The one error class of Zapgate. `code` is UPPER_SNAKE and stable; plugins prefix theirs
 * with their id (`WEBHOOKS_SUBSCRIPTION_NOT_FOUND`).
 *
 * @example
 * throw new GatewayError('SESSION_NOT_FOUND', `No session ${id}`);
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: string;
  readonly statusCode: number;
  readonly details: unknown;
  /** When the client may try again, in seconds (sent as `Retry-After`). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: CoreErrorCode | (string & {}), message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode ?? (CoreErrorCodes as Record<string, number>)[code] ?? 500;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The `{ statusCode, code, error, message }` body for this error. */
  toJSON(): ErrorBody & { details?: unknown } {
    return {
      statusCode: this.statusCode,
      code: this.code,
      error: reasonPhrase(this.statusCode),
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

/** True when `value` is a {@link GatewayError} (also across duplicated module copies). */
export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError || (value instanceof Error && value.name === 'GatewayError');
}

/** The HTTP reason phrase for a status code. */
export function reasonPhrase(statusCode: number): string {
  return reasonPhrases[statusCode] ?? 'Error';
}
