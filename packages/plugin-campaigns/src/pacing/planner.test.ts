import { Value } from '@sinclair/typebox/value';
import { GatewayError } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../content/random.js';
import { compileSchedule } from '../schedule/windows.js';
import {
  checkPacing,
  dailyCapAt,
  initialPacingState,
  type PacingState,
  planNext,
  recordSend,
  typingMs,
} from './planner.js';
import { PacingSettings } from './schemas.js';

const pacingOf = (overrides: object): PacingSettings =>
  Value.Default(PacingSettings, structuredClone(overrides)) as PacingSettings;
const fast = (overrides: object = {}) =>
  pacingOf({
    messagesPerMinute: 600,
    pauseEvery: 0,
    dailyCap: 1_000_000,
    warmup: { enabled: false },
    ...overrides,
  });
const always = compileSchedule({});
const t0 = Date.parse('2026-12-07T12:00:00Z');

/** Sends `count` messages on a fake clock; `latency` is how late the executor runs each send. */
function run(
  pacing: PacingSettings,
  count: number,
  options: { latency?: number; state?: PacingState; now?: number } = {},
) {
  let state = options.state ?? initialPacingState();
  let now = options.now ?? t0;
  const random = seededRandom('test');
  const sends: number[] = [];
  for (let i = 0; i < count; i++) {
    const plan = planNext(pacing, always, state, now);
    if (plan.kind !== 'send') throw new Error('ended');
    now = Math.max(now, plan.at) + (options.latency ?? 0);
    sends.push(now);
    state = recordSend(pacing, state, plan.at, random);
  }
  return { sends, state, now };
}

describe('pacing planner', () => {
  it('meets the configured rate within 2% with random gaps inside the jitter range', () => {
    const pacing = fast({ gapJitter: 0.5 });
    const { sends } = run(pacing, 1000);
    const perMinute = ((sends.length - 1) / (sends.at(-1)! - sends[0]!)) * 60_000;
    expect(Math.abs(perMinute - 600) / 600).toBeLessThan(0.02);
    const gaps = sends.slice(1).map((at, i) => at - sends[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(150);
    expect(new Set(gaps).size).toBeGreaterThan(50); // not a fixed, robotic gap
  });

  it('absorbs executor latency instead of drifting slower', () => {
    const { sends } = run(fast({ gapJitter: 0.3 }), 1000, { latency: 30 });
    const perMinute = ((sends.length - 1) / (sends.at(-1)! - sends[0]!)) * 60_000;
    expect(Math.abs(perMinute - 600) / 600).toBeLessThan(0.05);
  });

  it('catches up stalls of the process (up to a second) instead of drifting slower', () => {
    // every 10th decision comes 300 ms late (3 gaps at 600/min): a busy machine, a slow query
    const pacing = fast({ gapJitter: 0.3 });
    let state = initialPacingState();
    let now = t0;
    const random = seededRandom('stalls');
    const sends: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const plan = planNext(pacing, always, state, now);
      if (plan.kind !== 'send') throw new Error('ended');
      now = Math.max(now, plan.at) + (i % 10 === 9 ? 300 : 5);
      sends.push(now);
      state = recordSend(pacing, state, plan.at, random);
    }
    const perMinute = ((sends.length - 1) / (sends.at(-1)! - sends[0]!)) * 60_000;
    expect(Math.abs(perMinute - 600) / 600).toBeLessThan(0.05);
    // a plan later than the catch-up bound restarts from now
    const late = recordSend(pacing, initialPacingState(), t0, () => 0.5);
    expect(planNext(pacing, always, late, t0 + 900)).toEqual({ kind: 'send', at: t0 + 100, reason: 'now' });
    expect(planNext(pacing, always, late, t0 + 1200)).toEqual({ kind: 'send', at: t0 + 1200, reason: 'now' });
  });

  it('continues at pace after a restart: no burst to catch up', () => {
    const pacing = pacingOf({
      messagesPerMinute: 6,
      gapJitter: 0,
      pauseEvery: 0,
      warmup: { enabled: false },
    });
    const first = run(pacing, 5);
    const saved: PacingState = JSON.parse(JSON.stringify(first.state));
    // the process was down for an hour: the next message goes now, the ones after keep the 10 s gap
    const later = first.now + 3600_000;
    const resumed = run(pacing, 4, { state: saved, now: later });
    expect(resumed.sends).toEqual([later, later + 10_000, later + 20_000, later + 30_000]);
    // a restart shorter than the gap waits for the gap as if nothing happened
    const plan = planNext(pacing, always, saved, first.now + 2_000);
    expect(plan).toEqual({ kind: 'send', at: first.now + 10_000, reason: 'pace' });
  });

  it('pauses after every N messages for a time in the pause range', () => {
    const pacing = fast({ gapJitter: 0, pauseEvery: 10, pauseMs: { minMs: 60_000, maxMs: 120_000 } });
    const { sends } = run(pacing, 31);
    const gaps = sends.slice(1).map((at, i) => at - sends[i]!);
    const pauses = gaps.map((gap, i) => [i + 1, gap] as const).filter(([, gap]) => gap > 100);
    expect(pauses.map(([after]) => after)).toEqual([10, 20, 30]);
    for (const [, gap] of pauses) expect(gap).toBeGreaterThanOrEqual(60_000);
    for (const [, gap] of pauses) expect(gap).toBeLessThanOrEqual(120_000);
    const state = recordSend(pacing, initialPacingState(), t0, () => 0.5);
    expect(
      planNext(pacing, always, { ...state, sinceLastPause: 9, pausing: true, nextGapMs: 90_000 }, t0),
    ).toEqual({
      kind: 'send',
      at: t0 + 90_000,
      reason: 'pause',
    });
  });

  it('never sends more than the daily cap in any 24 hours', () => {
    const pacing = fast({ dailyCap: 10 });
    const { sends } = run(pacing, 25);
    for (const sent of sends)
      expect(sends.filter((s) => s >= sent && s < sent + 86_400_000).length).toBeLessThanOrEqual(10);
    expect(sends[10]).toBe(sends[0]! + 86_400_000);
    expect(sends[20]).toBe(sends[10]! + 86_400_000);
  });

  it('ramps a new number up day by day (warm-up)', () => {
    const pacing = fast({ dailyCap: 200, warmup: { enabled: true, startPerDay: 20, dailyGrowth: 0.3 } });
    const started = { ...initialPacingState(), warmupStartedAt: t0 };
    const caps = [0, 1, 2, 5, 8, 9, 30].map((d) => dailyCapAt(pacing, started, t0 + d * 86_400_000));
    expect(caps).toEqual([20, 26, 33, 74, 163, 200, 200]);
    const { sends } = run(pacing, 47);
    const perDay = [0, 1].map(
      (d) => sends.filter((s) => s >= t0 + d * 86_400_000 && s < t0 + (d + 1) * 86_400_000).length,
    );
    expect(perDay).toEqual([20, 26]);
  });

  it('waits for the next send window and ends with the schedule', () => {
    const pacing = fast();
    const office = compileSchedule({
      endAt: '2026-12-09T00:00:00Z',
      windows: [{ days: ['mon', 'tue'], start: '09:00', end: '18:00' }],
    });
    const state = recordSend(pacing, initialPacingState(), Date.parse('2026-12-07T17:59:59.950Z'), () => 0.5);
    const plan = planNext(pacing, office, state, Date.parse('2026-12-07T17:59:59.980Z'));
    expect(plan).toEqual({ kind: 'send', at: Date.parse('2026-12-08T09:00:00Z'), reason: 'window' });
    expect(planNext(pacing, office, state, Date.parse('2026-12-08T18:00:00Z'))).toEqual({ kind: 'ended' });
  });

  it('types for a time proportional to the text, bounded', () => {
    const pacing = pacingOf({ messagesPerMinute: 4, typing: { msPerChar: 40, minMs: 1000, maxMs: 5000 } });
    expect([0, 50, 100, 1000].map((length) => typingMs(pacing, length))).toEqual([1000, 2000, 4000, 5000]);
    expect(typingMs(fast(), 100)).toBe(50); // never more than half the average gap
    expect(typingMs(pacingOf({ typing: { enabled: false } }), 100)).toBe(0);
  });

  it('refuses contradictory pacing with CAMPAIGNS_PACING_INVALID', () => {
    const codeOf = (pacing: PacingSettings) => {
      try {
        checkPacing(pacing);
        return 'accepted';
      } catch (error) {
        return error instanceof GatewayError ? error.code : String(error);
      }
    };
    expect(codeOf(pacingOf({ messagesPerMinute: 0 }))).toBe('CAMPAIGNS_PACING_INVALID');
    expect(codeOf(pacingOf({ pauseMs: { minMs: 10, maxMs: 5 } }))).toBe('CAMPAIGNS_PACING_INVALID');
    expect(codeOf(pacingOf({ dailyCap: 10 }))).toBe('CAMPAIGNS_PACING_INVALID'); // warm-up starts at 20
    expect(codeOf(pacingOf({}))).toBe('accepted');
    expect(Value.Check(PacingSettings, pacingOf({ messagesPerMinute: 0 }))).toBe(false);
  });
});
