import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { initialPacingState, planNext, recordSend } from '../pacing/planner.js';
import { PacingSettings } from '../pacing/schemas.js';
import { compileSchedule } from '../schedule/windows.js';
import { decideStep, disconnectedRetryMs, type SenderView } from './decide.js';

const now = Date.parse('2026-12-07T15:00:00Z');
const view = (change: Partial<SenderView> = {}): SenderView => ({
  now,
  campaign: { status: 'running', startAt: null },
  part: { status: 'active', chainId: 'c1' },
  chainId: 'c1',
  connected: true,
  inFlight: false,
  followUpDue: false,
  pending: true,
  nextFollowUpAt: null,
  plan: { kind: 'send', at: now, reason: 'now' },
  ...change,
});

describe('decideStep', () => {
  it('sends the next recipient when the pace allows, a due follow-up first', () => {
    expect(decideStep(view())).toEqual({ kind: 'send', what: 'first', at: now });
    expect(decideStep(view({ followUpDue: true }))).toEqual({ kind: 'send', what: 'follow_up', at: now });
    // planned a little in the past (queue latency): sent at its planned instant, so the rate holds
    const late = { kind: 'send', at: now - 40, reason: 'now' } as const;
    expect(decideStep(view({ plan: late }))).toEqual({ kind: 'send', what: 'first', at: now - 40 });
  });

  it('decides a send up to the lead before its planned instant, and wakes up one lead early', () => {
    const soon = { kind: 'send', at: now + 400, reason: 'pace' } as const;
    expect(decideStep(view({ plan: soon, leadMs: 500 }))).toEqual({
      kind: 'send',
      what: 'first',
      at: now + 400,
    });
    const later = { kind: 'send', at: now + 15_000, reason: 'pace' } as const;
    expect(decideStep(view({ plan: later, leadMs: 500 }))).toEqual({
      kind: 'wait',
      until: now + 14_500,
      why: 'pace',
    });
  });

  it('waits for the pace, a pause, the daily cap or a window, then sends', () => {
    for (const reason of ['pace', 'pause', 'daily_cap', 'window'] as const)
      expect(decideStep(view({ plan: { kind: 'send', at: now + 15_000, reason } }))).toEqual({
        kind: 'wait',
        until: now + 15_000,
        why: reason,
      });
  });

  it('stops a stale chain, a campaign that is not sending and a paused part', () => {
    expect(decideStep(view({ chainId: 'old' }))).toEqual({ kind: 'stop', why: 'stale_chain' });
    for (const status of ['draft', 'paused', 'completed', 'cancelled'] as const)
      expect(decideStep(view({ campaign: { status, startAt: null } }))).toEqual({
        kind: 'stop',
        why: 'not_sending',
      });
    expect(decideStep(view({ part: { status: 'paused', chainId: 'c1' } }))).toEqual({
      kind: 'stop',
      why: 'part_paused',
    });
    expect(decideStep(view({ campaign: null }))).toEqual({ kind: 'stop', why: 'gone' });
    expect(decideStep(view({ part: null }))).toEqual({ kind: 'stop', why: 'gone' });
  });

  it('waits for a scheduled start, then starts', () => {
    const scheduled = (startAt: number) => view({ campaign: { status: 'scheduled', startAt } });
    expect(decideStep(scheduled(now + 60_000))).toEqual({
      kind: 'wait',
      until: now + 60_000,
      why: 'scheduled',
    });
    expect(decideStep(scheduled(now))).toEqual({ kind: 'start' });
  });

  it('waits while disconnected without taking a recipient; finishes an unfinished send first', () => {
    expect(decideStep(view({ connected: false, inFlight: true }))).toEqual({
      kind: 'wait',
      until: now + disconnectedRetryMs,
      why: 'disconnected',
    });
    // an unfinished send had its pacing slot already: it is finished even if the pace says later
    const later = { kind: 'send', at: now + 9_000, reason: 'pace' } as const;
    expect(decideStep(view({ inFlight: true, plan: later }))).toEqual({ kind: 'finish' });
  });

  it('waits for follow-ups when nothing else is left, idles when nothing at all is', () => {
    expect(decideStep(view({ pending: false, nextFollowUpAt: now + 3_600_000 }))).toEqual({
      kind: 'wait',
      until: now + 3_600_000,
      why: 'follow_up',
    });
    expect(decideStep(view({ pending: false }))).toEqual({ kind: 'idle' });
    // nothing left matters more than an ended schedule: the campaign simply completes
    expect(decideStep(view({ pending: false, plan: { kind: 'ended' } }))).toEqual({ kind: 'idle' });
    expect(decideStep(view({ plan: { kind: 'ended' } }))).toEqual({ kind: 'ended' });
  });

  it('with the planner, sends 1,000 messages at the configured rate and never two at once after a restart', () => {
    const pacing = Value.Default(PacingSettings, {
      messagesPerMinute: 600,
      pauseEvery: 0,
      dailyCap: 100_000,
      warmup: { enabled: false },
    }) as PacingSettings;
    const schedule = compileSchedule({});
    let state = initialPacingState();
    let clock = now;
    const sent: number[] = [];
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    while (sent.length < 1000) {
      const step = decideStep(view({ now: clock, plan: planNext(pacing, schedule, state, clock) }));
      if (step.kind === 'wait')
        clock = step.until + 7; // a job wakes up a little late
      else if (step.kind === 'send') {
        sent.push(step.at);
        state = recordSend(pacing, state, step.at, random);
        if (sent.length === 500) clock += 60_000; // down for a minute: a restart, no catch-up
      } else throw new Error(`unexpected ${step.kind}`);
    }
    const firstRun = sent[499]! - sent[0]!;
    expect(firstRun / 499).toBeGreaterThan(100 * 0.95);
    expect(firstRun / 499).toBeLessThan(100 * 1.05);
    const afterRestart = sent.slice(500);
    expect(afterRestart[0]! - sent[499]!).toBeGreaterThanOrEqual(60_000);
    const gaps = afterRestart.slice(1).map((at, i) => at - afterRestart[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50); // jitter 0.5 at 100 ms: never closer than 50 ms
  });
});
