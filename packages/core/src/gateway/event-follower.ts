import type { StoredEvent } from '../contracts/events.js';
import type { Store } from '../ports/store.js';

/** Options of {@link followEvents}. */
export interface FollowEventsOptions {
  /** The store whose event log is followed. */
  store: Pick<Store, 'events' | 'onEventsAppended'>;
  /**
   * Follow the log after this position; `'head'` is the newest event when the follower starts
   * (only events appended later are seen). @default 'head'
   */
  after?: number | 'head';
  /** Only events of this session (`null`: only events without a session). @default every event */
  sessionId?: string | null;
  /** Only these types or patterns (`message.*`, `*`). @default every type */
  types?: readonly string[];
  /** Events read per batch. @default 100 */
  batchSize?: number;
  /** Fallback read interval when no wake-up arrives (wake-ups come on every append). @default 1000 */
  pollIntervalMs?: number;
  /**
   * How long a read waits after a wake-up, so the appends of the next few milliseconds are read
   * with it: one read (and one batch downstream) for a burst of commits instead of one each.
   * Adds at most this much latency; `0` reads at once. A full batch is followed at once.
   * @default 10
   */
  coalesceMs?: number;
  /**
   * Called before each read with the current position: `false` skips this read and waits for
   * the next wake-up or poll (e.g. a lease is held elsewhere, or the reader is too far ahead);
   * a number moves the position there first (e.g. to a cursor taken over from another
   * process). @default always read
   */
  beforeRead?(position: number): Promise<boolean | number> | boolean | number;
  /**
   * Receives each non-empty batch, in log order; the next read starts after it resolves (so
   * a slow receiver is back-pressure, not a growing buffer).
   */
  onEvents(events: StoredEvent[]): Promise<void> | void;
  /** Called when a read or `onEvents` fails; the follower waits for the next poll and goes on. */
  onError?(error: unknown): void;
}

/** A running {@link followEvents} loop. */
export interface EventFollower {
  /** The position of the last event handed to `onEvents` (or the start). */
  readonly position: number;
  /** Reads again now instead of waiting for the next wake-up or poll. */
  wake(): void;
  /** Stops; resolves once the batch in hand is delivered. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Follows the durable event log: reads every event after a position, in order, and waits for
 * more. The one loop everything that tails the log uses (plugin consumers, the server's
 * Server-Sent Events, its QR printer). It reads again as soon as the store reports an append
 * (`onEventsAppended`: the post-commit sequencer's wake-up, NOTIFY across processes), polls as a
 * fallback, and never loses a wake-up that arrives during a read.
 *
 * @example
 * const follower = followEvents({ store, types: ['session.qr'], onEvents: (events) => print(events) });
 * // ...
 * await follower.stop();
 */
export function followEvents(options: FollowEventsOptions): EventFollower {
  const { store } = options;
  const batchSize = options.batchSize ?? 100;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const coalesceMs = options.coalesceMs ?? 10;
  let position = typeof options.after === 'number' ? options.after : 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  // set by a wake-up that arrives while a batch is being read, so it is not lost
  let signalled = false;
  const poke = () => {
    signalled = true;
    wake?.();
  };
  const unsubscribe = store.onEventsAppended(poke);

  /** Waits for a wake-up (true) or the poll interval (false). */
  const idle = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), pollIntervalMs);
      function done(woken: boolean) {
        clearTimeout(timer);
        wake = undefined;
        resolve(woken);
      }
      wake = () => done(true);
    });

  /** One read; true when there may be more right away. */
  const step = async (): Promise<boolean> => {
    const gate = options.beforeRead ? await options.beforeRead(position) : true;
    if (gate === false || stopped) return false;
    if (typeof gate === 'number') position = gate;
    const batch = await store.events.list({
      afterSeq: position,
      limit: batchSize,
      ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
      ...(options.types?.length ? { types: [...options.types] } : {}),
    });
    if (stopped) return false;
    const last = batch.at(-1);
    if (last) {
      await options.onEvents(batch);
      position = last.seq;
    }
    return batch.length === batchSize;
  };

  const loop = (async () => {
    if (options.after === undefined || options.after === 'head') {
      for (;;) {
        try {
          position = await store.events.head();
          break;
        } catch (error) {
          options.onError?.(error);
          if (stopped) return;
          await idle();
          if (stopped) return;
        }
      }
    }
    while (!stopped) {
      signalled = false;
      let more = false;
      try {
        more = await step();
      } catch (error) {
        options.onError?.(error);
      }
      if (stopped) break;
      if (more) continue;
      // the poll's read goes at once; a wake-up's waits for the appends right behind it
      if (!signalled && !(await idle())) continue;
      if (coalesceMs > 0 && !stopped) await new Promise((r) => setTimeout(r, coalesceMs));
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    get position() {
      return position;
    },
    wake: poke,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        unsubscribe();
        wake?.();
        await loop;
      })();
      return stopping;
    },
  };
}
