import { campaignsError } from '../error-codes.js';
import type { CompiledSchedule } from '../schedule/windows.js';
import { nextOpen } from '../schedule/windows.js';
import type { PacingSettings } from './schemas.js';

const day = 24 * 3600_000;

/** What the planner remembers about one session's sending; persist it with every send. */
export interface PacingState {
  /** Planned instant of the last message (planned, not actual: latency does not slow the pace). */
  lastPlannedAt: number | null;
  /** Gap to wait after `lastPlannedAt`, drawn when the last message was recorded (a pause included). */
  nextGapMs: number;
  /** True when `nextGapMs` is a pause after `pauseEvery` messages. */
  pausing: boolean;
  /** Messages since the last pause. */
  sinceLastPause: number;
  /** When the session sent its first campaign message (day 0 of the warm-up). */
  warmupStartedAt: number | null;
  /** Send instants of the last 24 hours, oldest first (for the moving daily cap). */
  recentSends: number[];
}

/** The state of a session that never sent. */
export const initialPacingState = (): PacingState => ({
  lastPlannedAt: null,
  nextGapMs: 0,
  pausing: false,
  sinceLastPause: 0,
  warmupStartedAt: null,
  recentSends: [],
});

/** Why the next message waits until `at`. */
export type PlanReason = 'now' | 'pace' | 'pause' | 'daily_cap' | 'window';

/** The planner's answer: send at `at`, or the schedule has ended. */
export type Plan = { kind: 'send'; at: number; reason: PlanReason } | { kind: 'ended' };

/** Average gap between messages, in ms. */
export const averageGapMs = (pacing: PacingSettings) => 60_000 / pacing.messagesPerMinute;

/**
 * How late a planned message may be and still keep its instant (see {@link planNext}). One
 * average gap alone is too little at high rates: at 600/min (100 ms gaps) every stall over
 * 100 ms on a busy machine (a slow transaction, the event loop) restarted the plan from `now`,
 * and the lost time was never made up. A second bounds the catch-up at any rate.
 */
export const catchUpMs = 1_000;

/** Refuses contradictory pacing (`CAMPAIGNS_PACING_INVALID`); the schema checks each field alone. */
export function checkPacing(pacing: PacingSettings): void {
  const invalid = (message: string) => campaignsError('CAMPAIGNS_PACING_INVALID', message);
  if (!(pacing.messagesPerMinute > 0)) throw invalid('messagesPerMinute must be above 0');
  if (pacing.pauseMs.minMs > pacing.pauseMs.maxMs) throw invalid('pauseMs.minMs is above pauseMs.maxMs');
  if (pacing.typing.minMs > pacing.typing.maxMs) throw invalid('typing.minMs is above typing.maxMs');
  if (pacing.warmup.enabled && pacing.warmup.startPerDay > pacing.dailyCap)
    throw invalid('warmup.startPerDay is above dailyCap');
}

/** The daily cap in force at `at`: the warm-up ramp until it reaches `dailyCap`. */
export function dailyCapAt(pacing: PacingSettings, state: PacingState, at: number): number {
  if (!pacing.warmup.enabled) return pacing.dailyCap;
  const days =
    state.warmupStartedAt === null ? 0 : Math.max(0, Math.floor((at - state.warmupStartedAt) / day));
  const ramp = pacing.warmup.startPerDay * (1 + pacing.warmup.dailyGrowth) ** days;
  return Math.min(pacing.dailyCap, Math.floor(ramp));
}

/**
 * When the next message of a session may go, given its state, the schedule and the clock.
 * Pure: the same inputs always give the same answer, so a restart (or another process)
 * continues the plan where it was. Rules, in order:
 * 1. pace — the last planned instant plus the gap drawn for it. A plan that is late by at
 *    most {@link catchUpMs} (or one average gap, when that is longer) keeps its instant: the
 *    sender catches up a stall of the process (a busy machine, a slow query) so the rate holds;
 *    later than that (a restart, a pause, a closed window) it restarts from `now`: never a
 *    burst to catch up on the time it was away.
 * 2. daily cap — at most the cap in any 24 hours: wait until the oldest counted send leaves the window.
 * 3. window — move to the next opening of the schedule; `ended` when none is left.
 */
export function planNext(
  pacing: PacingSettings,
  schedule: CompiledSchedule,
  state: PacingState,
  now: number,
): Plan {
  let at = now;
  let reason: PlanReason = 'now';
  if (state.lastPlannedAt !== null) {
    const due = state.lastPlannedAt + state.nextGapMs;
    if (due >= now - Math.max(averageGapMs(pacing), catchUpMs)) {
      at = due;
      reason = due > now ? (state.pausing ? 'pause' : 'pace') : 'now';
    }
  }
  const recent = state.recentSends.filter((sent) => sent > at - day);
  const cap = dailyCapAt(pacing, state, at);
  if (recent.length >= cap) {
    // the (len - cap)-th oldest send leaves the moving window first; the warm-up cap only grows
    at = Math.max(at, recent[recent.length - cap]! + day);
    reason = 'daily_cap';
  }
  const open = nextOpen(schedule, at);
  if (open === null) return { kind: 'ended' };
  if (open > at) return { kind: 'send', at: open, reason: 'window' };
  return { kind: 'send', at, reason };
}

/**
 * The state after a message planned at `plannedAt` was sent: draws the next gap (uniform
 * in the jitter range, or a pause every `pauseEvery` messages) with `random`.
 */
export function recordSend(
  pacing: PacingSettings,
  state: PacingState,
  plannedAt: number,
  random: () => number,
): PacingState {
  const sinceLastPause = state.sinceLastPause + 1;
  const pause = pacing.pauseEvery > 0 && sinceLastPause >= pacing.pauseEvery;
  const { minMs, maxMs } = pacing.pauseMs;
  const nextGapMs = pause
    ? minMs + random() * (maxMs - minMs)
    : averageGapMs(pacing) * (1 + pacing.gapJitter * (2 * random() - 1));
  return {
    lastPlannedAt: plannedAt,
    nextGapMs: Math.round(nextGapMs),
    pausing: pause,
    sinceLastPause: pause ? 0 : sinceLastPause,
    warmupStartedAt: state.warmupStartedAt ?? plannedAt,
    recentSends: [...state.recentSends.filter((sent) => sent > plannedAt - day), plannedAt],
  };
}

/**
 * How long to show "typing…" before a text of `length` characters: proportional to the
 * length, within `minMs`..`maxMs`, and never more than half the average gap (so typing
 * never slows the configured rate). 0 when typing is off.
 */
export function typingMs(pacing: PacingSettings, length: number): number {
  if (!pacing.typing.enabled) return 0;
  const { msPerChar, minMs, maxMs } = pacing.typing;
  const wanted = Math.min(maxMs, Math.max(minMs, length * msPerChar));
  return Math.floor(Math.min(wanted, averageGapMs(pacing) / 2));
}
