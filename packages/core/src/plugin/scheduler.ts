import type { Logger } from '../logger.js';

/** Timers owned by a plugin (or the gateway); all cleared on stop, errors logged. */
export interface Scheduler {
  /** Runs `fn` every `ms` (the next run starts `ms` after the previous one ended). */
  every(name: string, ms: number, fn: () => Promise<void> | void): void;
  /** Runs `fn` once after `ms`. */
  after(name: string, ms: number, fn: () => Promise<void> | void): void;
  /** Stops every timer and waits for running callbacks to end. */
  stop(): Promise<void>;
}

/** A {@link Scheduler} backed by `setTimeout`. */
export function createScheduler(logger: Logger): Scheduler {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const run = async (name: string, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (error) {
      logger.error({ err: error, timer: name }, 'scheduled task failed');
    }
  };

  const schedule = (name: string, ms: number, fn: () => Promise<void> | void, repeat: boolean) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      const done = run(name, fn).finally(() => {
        running.delete(done);
        if (repeat) schedule(name, ms, fn, true);
      });
      running.add(done);
    }, ms);
    timer.unref?.();
    timers.add(timer);
  };

  return {
    every: (name, ms, fn) => schedule(name, ms, fn, true),
    after: (name, ms, fn) => schedule(name, ms, fn, false),
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
