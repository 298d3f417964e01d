/**
 * Every error code `@zapgate/core` can raise, with its HTTP status. Codes are stable: clients
 * branch on them, so a code is never renamed or reused for another meaning.
 */
export const CoreErrorCodes = {
  VALIDATION_FAILED: 400,
  INVALID_RECIPIENT: 400,
  /** A chat, contact or group id is not a phone number, a JID or a LID. */
  INVALID_JID: 400,
  INVALID_CURSOR: 400,
  /** A user-given URL (media, proxy, webhook...) points at a refused scheme or a private address. */
  URL_NOT_ALLOWED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** Setting or changing a session's proxy needs the admin key (or a grant). */
  PROXY_CHANGE_FORBIDDEN: 403,
  SESSION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  CHAT_NOT_FOUND: 404,
  CONTACT_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  NOT_ON_WHATSAPP: 404,
  SESSION_NAME_TAKEN: 409,
  SESSION_NOT_CONNECTED: 409,
  SESSION_ALREADY_CONNECTED: 409,
  SESSION_LOGGED_OUT: 409,
  QR_NOT_AVAILABLE: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  MEDIA_TOO_LARGE: 413,
  /** Too many requests to a rate-limited route; retry after the `Retry-After` header. */
  RATE_LIMITED: 429,
  /**
   * The session's send queue is full (`tuning.send.maxQueued` sends accepted and not yet sent):
   * nothing was stored; retry after the `Retry-After` header.
   */
  SEND_QUEUE_FULL: 429,
  MEDIA_UNAVAILABLE: 404,
  DEAD_LETTER_NOT_FOUND: 404,
  /** Retrying a dead letter ran it again and it failed again (the dead letter is kept). */
  DEAD_LETTER_RETRY_FAILED: 409,
  MEDIA_FETCH_FAILED: 422,
  /** The media's bytes are not of the declared MIME type, or not of the kind the message type needs. */
  MEDIA_TYPE_MISMATCH: 400,
  WHATSAPP_BAD_REQUEST: 400,
  WHATSAPP_FORBIDDEN: 403,
  WHATSAPP_NOT_FOUND: 404,
  WHATSAPP_CONFLICT: 409,
  NOT_SUPPORTED: 501,
  CONNECTOR_FAILED: 502,
  /** A session's proxy could not be reached (refused, timed out, reset). */
  PROXY_UNREACHABLE: 502,
  WHATSAPP_TIMEOUT: 504,
  STORE_FAILED: 500,
  PLUGIN_DUPLICATE_ID: 500,
  PLUGIN_MISSING_DEPENDENCY: 500,
  PLUGIN_INCOMPATIBLE_VERSION: 500,
  PLUGIN_DEPENDENCY_CYCLE: 500,
  PLUGIN_INVALID_OPTIONS: 500,
  PLUGIN_INVALID_DEFINITION: 500,
  PLUGIN_REQUIRES_SQL: 500,
  PLUGIN_NOT_FOUND: 404,
  /** The plugin declares no `sessionSettingsSchema`. */
  PLUGIN_HAS_NO_SETTINGS: 404,
  /** A plugin hook threw something other than a `GatewayError` (its plugin is named in the message). */
  PLUGIN_HOOK_FAILED: 500,
  /** `ctx.emit` named an event type the plugin does not declare in `eventSchemas`. */
  PLUGIN_EVENT_NOT_DECLARED: 500,
  /** `ctx.jobs` was used on a store without SQL (the in-memory store). */
  JOBS_REQUIRE_SQL: 500,
  /** `ctx.jobs.enqueue` named a job the plugin does not declare under `jobs`. */
  JOB_NOT_DECLARED: 500,
  /** `ctx.jobs.enqueue` or `cancel` got invalid options (listed in `details`). */
  JOB_INVALID_OPTIONS: 400,
  MIGRATION_CHECKSUM_MISMATCH: 500,
  /** A secret is stored sealed but the host has no `encryptionKey`. */
  ENCRYPTION_KEY_MISSING: 500,
  /** A sealed secret does not open under the configured `encryptionKey` (another key, or changed). */
  SECRET_UNREADABLE: 500,
  GATEWAY_NOT_STARTED: 503,
  /**
   * This node no longer holds the session's lease (another node took it over): the write was
   * refused (fencing) and this node dropped the session's socket.
   */
  SESSION_LEASE_LOST: 409,
  /**
   * Another live node runs the session's socket: the request must go to that node (the
   * reference server forwards it there itself; `details.nodeId` names it).
   */
  SESSION_OWNED_ELSEWHERE: 409,
  /**
   * The session is moving between nodes (its owner stopped or died and no node runs it yet);
   * retry after the `Retry-After` header.
   */
  SESSION_MOVING: 503,
  /**
   * This node is opening the session's socket (after a drop, a restart or a takeover) and it is
   * not open yet; retry after the `Retry-After` header.
   */
  SESSION_CONNECTING: 503,
} as const;

/** A code defined by core. Plugins and hosts define their own, prefixed with their id. */
export type CoreErrorCode = keyof typeof CoreErrorCodes;
