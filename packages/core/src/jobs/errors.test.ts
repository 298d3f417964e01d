import { describe, expect, it } from 'vitest';
import { jobBackoffDelay, RetryJobError } from './errors.js';

describe('jobBackoffDelay', () => {
  const backoff = { initialMs: 1000, maxMs: 300_000 };
  it('doubles the ceiling per attempt and caps it at maxMs', () => {
    expect(jobBackoffDelay(1, backoff, () => 1)).toBe(1000);
    expect(jobBackoffDelay(2, backoff, () => 1)).toBe(2000);
    expect(jobBackoffDelay(5, backoff, () => 1)).toBe(16_000);
    expect(jobBackoffDelay(20, backoff, () => 1)).toBe(300_000);
    expect(jobBackoffDelay(10_000, backoff, () => 1)).toBe(300_000);
  });
  it('spreads over the whole range below the ceiling (full jitter)', () => {
    expect(jobBackoffDelay(3, backoff, () => 0)).toBe(0);
    expect(jobBackoffDelay(3, backoff, () => 0.5)).toBe(2000);
  });
});

describe('RetryJobError', () => {
  it('keeps a whole, non-negative delay', () => {
    expect(new RetryJobError('x', { afterMs: 1500.4 }).afterMs).toBe(1500);
    expect(new RetryJobError('x', { afterMs: -5 }).afterMs).toBe(0);
  });
});
