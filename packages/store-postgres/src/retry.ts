import type { Logger } from '@zapgate/core';

/** Serialization failure and deadlock: Postgres rolled the transaction back; running it again is safe. */
const retryable = new Set(['40001', '40P01']);
const attempts = 5;

/** True when `error` (or its cause) is a failure Postgres asks the client to retry. */
export function isRetryableConflict(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | null, depth = 0; e && depth < 3; depth++) {
    if (typeof e.code === 'string' && retryable.has(e.code)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** SQLSTATEs of a connection Postgres ended: admin shutdown, crash shutdown, cannot connect now, connection exceptions (08…). */
const connectionLost = /^(57P0[123]|08\d{3})$/;
/** Node and pg messages of a socket that went away. */
const socketGone =
  /Connection terminated|Connection ended unexpectedly|not queryable|ECONNRESET|ECONNREFUSED|EPIPE/;

/** True when `error` (or its cause) says the database connection was lost: running the work again on a new one is safe for idempotent work. */
export function isConnectionLoss(error: unknown): boolean {
  for (
    let e = error as { code?: unknown; message?: unknown; cause?: unknown } | null, depth = 0;
    e && depth < 3;
    depth++
  ) {
    if (typeof e.code === 'string' && (connectionLost.test(e.code) || socketGone.test(e.code))) return true;
    if (typeof e.message === 'string' && socketGone.test(e.message)) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * Runs a whole transaction again (up to 5 times, with a short jittered backoff) when Postgres
 * aborted it as a serialization failure or a deadlock victim; other errors pass through.
 */
export async function withRetry<T>(logger: Logger, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
      const delayMs = Math.round(5 * 2 ** attempt * (0.5 + Math.random()));
      logger.warn({ err: error, attempt, delayMs }, 'transaction conflicted; running it again');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
