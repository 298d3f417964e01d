/** What a response means for a delivery. */
export type Outcome = 'succeeded' | 'gone' | 'rejected' | 'retry';

/** 4xx statuses that are worth retrying (timeouts, conflicts, too early, rate limits). */
const retryable4xx = new Set([408, 409, 425, 429]);

/**
 * Classifies a response status: 2xx succeeded; 410 gone (the subscription is disabled); other
 * 4xx rejected (not retried) except 408/409/425/429; everything else (3xx, 5xx) retried.
 */
export function classifyStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'succeeded';
  if (status === 410) return 'gone';
  if (status >= 400 && status < 500 && !retryable4xx.has(status)) return 'rejected';
  return 'retry';
}

/**
 * Delay before the next attempt after attempt number `attempts` (1-based) failed, or `null`
 * when the schedule is exhausted. The scheduled delay is spread by ±`jitter`.
 */
export function retryDelay(
  attempts: number,
  schedule: readonly number[],
  jitter: number,
  random: () => number = Math.random,
): number | null {
  const base = schedule[attempts - 1];
  if (base === undefined) return null;
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}
