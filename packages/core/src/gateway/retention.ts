import ms from 'ms';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Store } from '../ports/store.js';
import { sleep } from './backoff.js';

/** How long events are kept: a duration such as `'30d'`, `'12h'`, milliseconds, or `false` (forever). */
export type EventRetention = string | number | false;

/** The default of `eventRetention`. */
export const defaultEventRetention = '30d';

/** Events deleted per statement (short transactions, bounded locks). */
const pruneBatch = 5000;

/** Milliseconds of an `eventRetention` value, `null` for forever; anything else is `VALIDATION_FAILED`. */
export function retentionMs(value: EventRetention | undefined): number | null {
  const input = value ?? defaultEventRetention;
  if (input === false) return null;
  const parsed = typeof input === 'number' ? input : ms(input as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed <= 0) {
    throw new GatewayError(
      'VALIDATION_FAILED',
      `Invalid eventRetention ${JSON.stringify(input)}: use a duration such as '30d' or '12h', milliseconds, or false`,
    );
  }
  return parsed;
}

interface Deps {
  store: Store;
  /** How old an event must be to go. */
  keepMs: number;
  intervalMs: number;
  logger: Logger;
  metrics: Metrics;
}

/** A running retention loop. */
export interface EventPruner {
  /** One pass now: deletes what is old enough and seen by every consumer; how many went. */
  prune(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Prunes the event log every `intervalMs` (and once at start): events older than `keepMs`
 * that every consumer has seen (see `EventLogRepo.prune`). Safe on several processes at once.
 */
export function startEventPruner({ store, keepMs, intervalMs, logger, metrics }: Deps): EventPruner {
  const pruned = metrics.counter(
    'zapgate_events_pruned_total',
    'Events deleted from the event log by retention',
  );
  const abort = new AbortController();
  const prune = async () => {
    const olderThan = new Date(Date.now() - keepMs).toISOString();
    let total = 0;
    for (;;) {
      const n = await store.events.prune(olderThan, pruneBatch);
      total += n;
      if (n > 0) pruned.inc({}, n);
      if (n < pruneBatch || abort.signal.aborted) return total;
    }
  };
  const loop = (async () => {
    while (!abort.signal.aborted) {
      try {
        const n = await prune();
        if (n > 0)
          logger.info(
            { pruned: n, olderThan: new Date(Date.now() - keepMs).toISOString() },
            'event log pruned',
          );
      } catch (error) {
        logger.warn({ err: error }, 'pruning the event log failed; trying again later');
      }
      await sleep(intervalMs, abort.signal);
    }
  })();
  return {
    prune,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}
