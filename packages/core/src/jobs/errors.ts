/**
 * Thrown by a job handler to be retried after exactly `afterMs` (a `Retry-After`, a closed
 * send window...) instead of the backoff. The run still counts as an attempt.
 *
 * @example
 * throw new RetryJobError('rate limited', { afterMs: parseRetryAfter(header) ?? 60_000 });
 */
export class RetryJobError extends Error {
  override readonly name = 'RetryJobError';
  readonly afterMs: number;
  constructor(message: string, options: { afterMs: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.afterMs = Math.max(0, Math.round(options.afterMs));
  }
}

/**
 * Thrown by a job handler when retrying cannot help (the target is gone, the input is
 * invalid): the job becomes a dead letter at once.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The delay after failed run `attempt` (1-based): full jitter, `random() * min(maxMs, initialMs * 2^(attempt-1))`. */
export function jobBackoffDelay(
  attempt: number,
  backoff: { initialMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return Math.round(random() * ceiling);
}
