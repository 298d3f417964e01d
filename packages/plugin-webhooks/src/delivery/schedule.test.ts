import { describe, expect, it } from 'vitest';
import { defaultRetrySchedule } from '../options.js';
import { classifyStatus, parseRetryAfter, retryDelay } from './schedule.js';

describe('classifyStatus', () => {
  it('treats 2xx as success, 410 as gone and other 4xx as final except 408/409/425/429', () => {
    expect([200, 201, 204, 299].map(classifyStatus)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(classifyStatus(410)).toBe('gone');
    expect([400, 401, 403, 404, 413, 422].map(classifyStatus)).toEqual(Array(6).fill('rejected'));
    expect([408, 409, 425, 429].map(classifyStatus)).toEqual(Array(4).fill('retry'));
    expect([301, 500, 502, 503, 504].map(classifyStatus)).toEqual(Array(5).fill('retry'));
  });
});

describe('retryDelay', () => {
  it('follows the schedule, spread by the jitter, and ends after the last entry', () => {
    const schedule = [1000, 5000];
    expect(retryDelay(1, schedule, 0.2, () => 0.5)).toBe(1000);
    expect(retryDelay(1, schedule, 0.2, () => 0)).toBe(800);
    expect(retryDelay(2, schedule, 0.2, () => 1)).toBe(6000);
    expect(retryDelay(3, schedule, 0.2)).toBeNull();
  });

  it('spans about a day by default', () => {
    const total = defaultRetrySchedule.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20 * 3600_000);
    expect(total).toBeLessThan(26 * 3600_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });
  it('reads HTTP dates, and past dates as 0', () => {
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
  });
  it('ignores absent and malformed values', () => {
    expect(parseRetryAfter(undefined, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('1.5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
