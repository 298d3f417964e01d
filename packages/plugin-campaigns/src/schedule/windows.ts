import { DateTime, IANAZone } from 'luxon';
import { campaignsError } from '../error-codes.js';
import { type CampaignSchedule, type Weekday, weekdays } from './schemas.js';

/** A schedule checked once: instants in ms, windows as minutes of the day per ISO weekday. */
export interface CompiledSchedule {
  startAt: number | null;
  endAt: number | null;
  timeZone: string;
  /** Index 1 (Monday) … 7 (Sunday) → `[startMinute, endMinute)` ranges, sorted by start; null: always open. */
  windows: Array<Array<[number, number]>> | null;
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
const isoDay = (day: Weekday) => weekdays.indexOf(day) + 1;

/**
 * Validates a schedule (`CAMPAIGNS_SCHEDULE_INVALID`: unknown time zone, end before start,
 * an empty window list, a window that closes before it opens) and compiles it.
 */
export function compileSchedule(schedule: CampaignSchedule = {}): CompiledSchedule {
  const invalid = (message: string) => campaignsError('CAMPAIGNS_SCHEDULE_INVALID', message);
  const timeZone = schedule.timeZone ?? 'UTC';
  if (!IANAZone.isValidZone(timeZone)) throw invalid(`Unknown time zone "${timeZone}" (use an IANA name)`);
  const instant = (value: string | undefined, name: string) => {
    if (value === undefined) return null;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalid(`${name} "${value}" is not a date-time`);
    return ms;
  };
  const startAt = instant(schedule.startAt, 'startAt');
  const endAt = instant(schedule.endAt, 'endAt');
  if (startAt !== null && endAt !== null && endAt <= startAt) throw invalid('endAt must be after startAt');
  if (schedule.windows === undefined) return { startAt, endAt, timeZone, windows: null };
  if (schedule.windows.length === 0) throw invalid('windows is empty: the campaign could never send');
  const windows: Array<Array<[number, number]>> = Array.from({ length: 8 }, () => []);
  schedule.windows.forEach((window, index) => {
    const [start, end] = [minutesOf(window.start), minutesOf(window.end)];
    if (end <= start)
      throw invalid(`Window ${index + 1} ends (${window.end}) before it starts (${window.start})`);
    for (const day of new Set(window.days)) windows[isoDay(day)]!.push([start, end]);
  });
  for (const day of windows) day.sort((a, b) => a[0] - b[0]);
  return { startAt, endAt, timeZone, windows };
}

const localMinutes = (time: DateTime) =>
  time.hour * 60 + time.minute + time.second / 60 + time.millisecond / 60_000;

/** True when sending is allowed at `now` (inside start/end and a window, on the local wall clock). */
export function isOpen(schedule: CompiledSchedule, now: number): boolean {
  if (schedule.startAt !== null && now < schedule.startAt) return false;
  if (schedule.endAt !== null && now >= schedule.endAt) return false;
  if (schedule.windows === null) return true;
  const local = DateTime.fromMillis(now, { zone: schedule.timeZone });
  const minute = localMinutes(local);
  return schedule.windows[local.weekday]!.some(([start, end]) => start <= minute && minute < end);
}

/**
 * The first instant at or after `now` when sending is allowed, or null when the schedule has
 * ended (or no window opens before `endAt`). Correct across DST: a window opening at a local
 * time skipped by a spring-forward opens when the clock jumps past it.
 */
export function nextOpen(schedule: CompiledSchedule, now: number): number | null {
  const from = Math.max(now, schedule.startAt ?? now);
  if (schedule.endAt !== null && from >= schedule.endAt) return null;
  if (isOpen(schedule, from)) return from;
  const windows = schedule.windows;
  if (windows === null) return null;
  const today = DateTime.fromMillis(from, { zone: schedule.timeZone }).startOf('day');
  for (let offset = 0; offset <= 7; offset++) {
    const date = today.plus({ days: offset });
    for (const [start] of windows[date.weekday]!) {
      const opening = openingInstant(schedule, date, start);
      if (opening < from) continue;
      return schedule.endAt !== null && opening >= schedule.endAt ? null : opening;
    }
  }
  return null;
}

/** The instant a window opening at `minute` on local `date` opens. */
function openingInstant(schedule: CompiledSchedule, date: DateTime, minute: number): number {
  const wanted = date.set({ hour: Math.floor(minute / 60), minute: minute % 60 });
  if (wanted.hour * 60 + wanted.minute === minute) return wanted.toMillis();
  // The local time does not exist (spring forward): luxon moved it past the gap. The window
  // opens at the jump, the earliest instant whose wall clock reads `minute` or later that day.
  let [low, high] = [wanted.toMillis() - 3 * 3600_000, wanted.toMillis()];
  const reached = (ms: number) => {
    const local = DateTime.fromMillis(ms, { zone: schedule.timeZone });
    return local.hasSame(date, 'day') && localMinutes(local) >= minute;
  };
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (reached(middle)) high = middle;
    else low = middle;
  }
  return high;
}
