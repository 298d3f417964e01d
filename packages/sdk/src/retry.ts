/** How the client retries requests that are safe to retry. */
export interface RetryOptions {
  /** Attempts after the first one. @default 3 */
  retries?: number;
  /** First delay; doubles each attempt, with jitter. @default 300 */
  minDelayMs?: number;
  /** Cap of the delay. @default 5000 */
  maxDelayMs?: number;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** True when a request may be sent again without changing the outcome. */
export function isRetryable(request: Request): boolean {
  return idempotentMethods.has(request.method.toUpperCase()) || request.headers.has('idempotency-key');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Wraps `fetch` so idempotent requests (and any carrying an `Idempotency-Key`) are retried on
 * network errors and 503 answers, with exponential backoff and full jitter. A `Retry-After`
 * header (seconds) is honoured up to `maxDelayMs`.
 */
export function retryingFetch(baseFetch: typeof fetch, options: RetryOptions = {}): typeof fetch {
  const { retries = 3, minDelayMs = 300, maxDelayMs = 5000 } = options;
  return async (input, init) => {
    const request = new Request(input, init);
    if (!isRetryable(request) || retries <= 0) return baseFetch(request);
    const body = request.body ? await request.arrayBuffer() : undefined;
    for (let attempt = 0; ; attempt++) {
      const copy = new Request(request, body === undefined ? {} : { body });
      try {
        const response = await baseFetch(copy);
        if (response.status !== 503 || attempt >= retries) return response;
        const retryAfter = Number(response.headers.get('retry-after'));
        await response.body?.cancel();
        await sleep(
          Number.isFinite(retryAfter) && retryAfter > 0
            ? Math.min(retryAfter * 1000, maxDelayMs)
            : delay(attempt),
        );
      } catch (error) {
        if (attempt >= retries || request.signal.aborted) throw error;
        await sleep(delay(attempt));
      }
    }
  };
  function delay(attempt: number) {
    return Math.random() * Math.min(maxDelayMs, minDelayMs * 2 ** attempt);
  }
}
