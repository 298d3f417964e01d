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

const errorTextLength = 2048;

/** A handler's error as stored with the job (name and message, at most 2,048 characters). */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, errorTextLength);
}

/** A {@link PermanentJobError}, also one from another copy of this package (matched by name). */
export const isPermanent = (error: unknown) =>
  error instanceof PermanentJobError || (error as Error | null)?.name === 'PermanentJobError';

/** The delay a {@link RetryJobError} asks for (also one from another copy of this package), else null. */
export function retryAfterOf(error: unknown): number | null {
  if (error instanceof RetryJobError) return error.afterMs;
  const afterMs = (error as { name?: unknown; afterMs?: unknown } | null)?.afterMs;
  return (error as Error | null)?.name === 'RetryJobError' && typeof afterMs === 'number' ? afterMs : null;
}
