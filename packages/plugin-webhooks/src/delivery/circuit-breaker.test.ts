import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('CircuitBreaker', () => {
  it('opens after the threshold, lets one probe through after the cooldown, closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, () => now);
    const a = 'https://a.example';
    breaker.failed(a);
    breaker.failed(a);
    expect(breaker.capacity(a)).toBe(Number.POSITIVE_INFINITY);
    breaker.failed(a);
    expect(breaker.isOpen(a)).toBe(true);
    expect(breaker.capacity(a)).toBe(0);
    expect(breaker.capacity('https://b.example')).toBe(Number.POSITIVE_INFINITY);
    now = 1000;
    expect(breaker.capacity(a)).toBe(1);
    breaker.started(a);
    expect(breaker.capacity(a)).toBe(0);
    breaker.succeeded(a);
    expect(breaker.isOpen(a)).toBe(false);
    expect(breaker.limited()).toEqual([]);
  });

  it('re-opens when the probe fails, and a success resets the failure count', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100 }, () => now);
    const a = 'https://a.example';
    breaker.failed(a);
    breaker.succeeded(a);
    breaker.failed(a);
    expect(breaker.isOpen(a)).toBe(false);
    breaker.failed(a);
    now = 100;
    breaker.started(a);
    breaker.failed(a);
    expect(breaker.capacity(a)).toBe(0);
    now = 199;
    expect(breaker.capacity(a)).toBe(0);
    now = 200;
    expect(breaker.capacity(a)).toBe(1);
  });
});
