import { GatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import type { CampaignSchedule } from './schemas.js';
import { compileSchedule, isOpen, nextOpen } from './windows.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('send windows', () => {
  const office = compileSchedule({
    timeZone: 'America/Sao_Paulo',
    windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }],
  });

  it('is open inside a weekday window on the local clock only', () => {
    expect(isOpen(office, at('2026-12-07T12:00:00Z'))).toBe(true); // Monday 09:00 in São Paulo (UTC-3)
    expect(isOpen(office, at('2026-12-07T11:59:59Z'))).toBe(false); // 08:59:59
    expect(isOpen(office, at('2026-12-07T21:00:00Z'))).toBe(false); // 18:00: the end is exclusive
    expect(isOpen(office, at('2026-12-05T15:00:00Z'))).toBe(false); // Saturday noon
  });

  it('finds the next opening over a weekend', () => {
    expect(iso(nextOpen(office, at('2026-12-04T21:30:00Z')))).toBe('2026-12-07T12:00:00.000Z'); // Fri 18:30 → Mon 09:00
    expect(iso(nextOpen(office, at('2026-12-07T13:00:00Z')))).toBe('2026-12-07T13:00:00.000Z'); // already open
  });

  it('follows DST: the same local hour is a different UTC hour after spring forward', () => {
    const daily = compileSchedule({
      timeZone: 'America/New_York',
      windows: [{ days: ['sat', 'sun'], start: '09:00', end: '17:00' }],
    });
    expect(iso(nextOpen(daily, at('2026-03-07T05:00:00Z')))).toBe('2026-03-07T14:00:00.000Z'); // Sat, EST
    expect(iso(nextOpen(daily, at('2026-03-08T01:00:00Z')))).toBe('2026-03-08T13:00:00.000Z'); // Sun, EDT
    expect(isOpen(daily, at('2026-03-08T13:00:00Z'))).toBe(true);
    expect(isOpen(daily, at('2026-03-08T12:59:00Z'))).toBe(false);
  });

  it('opens a window whose start was skipped by spring forward at the jump', () => {
    const night = compileSchedule({
      timeZone: 'America/New_York',
      windows: [{ days: ['sun'], start: '02:30', end: '04:00' }],
    });
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z); 02:30 never happens
    expect(iso(nextOpen(night, at('2026-03-08T05:00:00Z')))).toBe('2026-03-08T07:00:00.000Z');
    expect(isOpen(night, at('2026-03-08T07:00:00Z'))).toBe(true);
    expect(isOpen(night, at('2026-03-08T06:59:59Z'))).toBe(false);
  });

  it('opens at the first occurrence of a local time repeated by fall back', () => {
    const night = compileSchedule({
      timeZone: 'America/New_York',
      windows: [{ days: ['sun'], start: '01:30', end: '01:45' }],
    });
    // 2026-11-01: 01:30 EDT (05:30Z) comes first, then 01:30 EST (06:30Z)
    expect(iso(nextOpen(night, at('2026-11-01T04:00:00Z')))).toBe('2026-11-01T05:30:00.000Z');
    expect(isOpen(night, at('2026-11-01T06:35:00Z'))).toBe(true); // the repeated hour is inside too
  });

  it('honours startAt and endAt', () => {
    const bounded = compileSchedule({
      startAt: '2026-12-07T15:00:00Z',
      endAt: '2026-12-08T00:00:00Z',
      timeZone: 'America/Sao_Paulo',
      windows: [{ days: ['mon', 'tue'], start: '09:00', end: '18:00' }],
    });
    expect(iso(nextOpen(bounded, at('2026-12-07T10:00:00Z')))).toBe('2026-12-07T15:00:00.000Z');
    expect(isOpen(bounded, at('2026-12-07T14:00:00Z'))).toBe(false); // in the window, before startAt
    expect(nextOpen(bounded, at('2026-12-07T23:00:00Z'))).toBeNull(); // next window is after endAt
    expect(nextOpen(bounded, at('2026-12-08T00:00:00Z'))).toBeNull();
    const always = compileSchedule({});
    expect(nextOpen(always, 5)).toBe(5);
  });

  it('joins several windows on a day and ends a window at midnight', () => {
    const split = compileSchedule({
      windows: [
        { days: ['mon'], start: '14:00', end: '24:00' },
        { days: ['mon'], start: '08:00', end: '12:00' },
      ],
    });
    expect(iso(nextOpen(split, at('2026-12-07T12:30:00Z')))).toBe('2026-12-07T14:00:00.000Z');
    expect(isOpen(split, at('2026-12-07T23:59:59Z'))).toBe(true);
    expect(iso(nextOpen(split, at('2026-12-08T00:00:00Z')))).toBe('2026-12-14T08:00:00.000Z');
  });

  it('refuses inconsistent schedules with CAMPAIGNS_SCHEDULE_INVALID', () => {
    const problem = (schedule: CampaignSchedule) => {
      try {
        compileSchedule(schedule);
      } catch (error) {
        return error instanceof GatewayError ? `${error.statusCode} ${error.code}: ${error.message}` : error;
      }
      return 'accepted';
    };
    expect(problem({ windows: [] })).toMatch(/^400 CAMPAIGNS_SCHEDULE_INVALID: windows is empty/);
    expect(problem({ windows: [{ days: ['mon'], start: '18:00', end: '09:00' }] })).toMatch(
      /ends \(09:00\) before/,
    );
    expect(problem({ windows: [{ days: ['mon'], start: '09:00', end: '09:00' }] })).toMatch(
      /before it starts/,
    );
    expect(problem({ startAt: '2026-12-08T00:00:00Z', endAt: '2026-12-07T00:00:00Z' })).toMatch(
      /endAt must be after/,
    );
    expect(problem({ timeZone: 'Mars/Olympus' })).toMatch(/Unknown time zone/);
  });
});
