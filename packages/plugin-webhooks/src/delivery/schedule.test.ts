import { describe, expect, it } from 'vitest';
import { defaultRetrySchedule } from '../options.js';
import { classifyStatus, retryDelay } from './schedule.js';

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
