import { type Static, Type } from '@sinclair/typebox';

const second = 1000;
const minute = 60 * second;

/** Options of `chatwoot()`, for every session (per-session settings are in `settings.ts`). */
export const ChatwootOptionsSchema = Type.Object({
  /**
   * Base URL Chatwoot reaches this gateway at, for the callback URL given to inboxes; the
   * host's `publicUrl` when absent. Required to create inboxes automatically.
   * @default the host's publicUrl
   */
  publicUrl: Type.Optional(Type.String({ format: 'uri', pattern: '^https?://' })),
  /**
   * Time allowed for one Chatwoot request, answer included.
   * @default 10000
   */
  timeoutMs: Type.Integer({ minimum: 100, maximum: 5 * minute, default: 10 * second }),
  /**
   * Bridge jobs running at once in this process, across sessions (each chat stays in order).
   * @default 8
   */
  concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  /**
   * Attempts of one bridged message before it becomes a dead letter (retryable over REST).
   * With the default backoff, about a day of outage.
   * @default 40
   */
  maxAttempts: Type.Integer({ minimum: 1, maximum: 1000, default: 40 }),
  /**
   * Longest wait between attempts (and the longest `Retry-After` honoured).
   * @default 900000 (15 minutes)
   */
  maxRetryDelayMs: Type.Integer({ minimum: 100, default: 15 * minute }),
  /**
   * How far a signed callback's `X-Chatwoot-Timestamp` may be from now.
   * @default 300000 (5 minutes)
   */
  callbackToleranceMs: Type.Integer({ minimum: 1000, maximum: 60 * minute, default: 5 * minute }),
  /**
   * Largest callback body accepted.
   * @default 1048576
   */
  callbackBodyLimit: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 1024 * 1024 }),
  /**
   * Attempts to download an agent's attachment that Chatwoot has not finished storing yet.
   * @default 5
   */
  attachmentAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
  /**
   * Largest attachment downloaded from Chatwoot to send to WhatsApp.
   * @default 67108864 (64 MiB)
   */
  maxAttachmentBytes: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
});

/** Options after defaults: what `ctx.options` holds. */
export type ResolvedChatwootOptions = Static<typeof ChatwootOptionsSchema>;

/** Options of `chatwoot()`; every field has a default. */
export type ChatwootOptions = Partial<ResolvedChatwootOptions>;
