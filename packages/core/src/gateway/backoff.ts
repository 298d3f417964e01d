import retry from 'retry';

/** Delay before attempt `attempt` (0-based): exponential, capped, randomised (jitter). */
export function backoffDelay(
  attempt: number,
  options: { minDelayMs: number; maxDelayMs: number; factor: number },
): number {
  return retry.createTimeout(attempt, {
    minTimeout: options.minDelayMs,
    maxTimeout: options.maxDelayMs,
    factor: options.factor,
    randomize: true,
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
