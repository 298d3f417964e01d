/**
 * Error codes the server itself raises (core's codes, such as `SESSION_NOT_FOUND`, pass
 * through unchanged). Codes are stable: clients branch on them.
 */
export const ServerErrorCodes = {
  /** The body is not valid JSON. */
  INVALID_JSON: 400,
  /** The path is not a valid URL (broken percent-encoding such as `%zz` or an encoded lone surrogate). */
  INVALID_URL: 400,
  /** A path parameter is longer than the router reads (an id is never that long). */
  URI_TOO_LONG: 414,
  /** A request the HTTP layer rejected for another reason (bad header...). */
  BAD_REQUEST: 400,
  /** A `multipart/form-data` body that cannot be read (no boundary, cut short...). */
  INVALID_MULTIPART: 400,
  /** Text in the body is not valid Unicode (a lone UTF-16 surrogate). */
  INVALID_UNICODE: 400,
  /** The request's headers are larger than the server accepts. */
  HEADERS_TOO_LARGE: 431,
  /** The client was too slow to send its request. */
  REQUEST_TIMEOUT: 408,
  /** The body is larger than `bodyLimit`. */
  PAYLOAD_TOO_LARGE: 413,
  /** The `Content-Type` is not one the route accepts. */
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** No route matches the method and path. */
  ROUTE_NOT_FOUND: 404,
  /** The method is not allowed on this path. */
  METHOD_NOT_ALLOWED: 405,
  /** Too many requests. */
  RATE_LIMITED: 429,
  /** Something unexpected failed; details are in the server log, never in the response. */
  INTERNAL_ERROR: 500,
  /** The dashboard is enabled but its files are not built (`pnpm build`). */
  DASHBOARD_NOT_BUILT: 503,
  /** The store did not answer the readiness check. */
  NOT_READY: 503,
  /** The configuration is invalid (boot error, listed problem by problem). */
  CONFIG_INVALID: 500,
  /** A plugin named in the configuration is not known or could not be loaded. */
  PLUGIN_NOT_FOUND: 500,
} as const;

/** A code defined by the server. */
export type ServerErrorCode = keyof typeof ServerErrorCodes;
