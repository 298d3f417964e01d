import type { Logger } from '@zapgate/core';
import type { Knex } from 'knex';
import { rawRows } from './sql-client.js';

/** Events numbered per sequencer statement; a bigger backlog takes several. */
const batch = 5000;

/**
 * How long after a run a read does not start another. Every commit with appends starts a run
 * of its own (this process's in {@link EventSequencer.kick}, another's in that process), so
 * within this time a read would only number what a crashed process left: that waits this long.
 */
const freshMs = 1000;

/**
 * Gives committed events their positions (see migration `008_event_positions`). One run at a
 * time per process, on the pool and never inside a writer's transaction: a call made while a
 * run is going waits for one more run that starts after it, so when `sequence()` resolves
 * every event committed before the call has a position. Runs of several processes queue on
 * the sequencer row in the database.
 */
export class EventSequencer {
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private lastRunEnded = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Knex,
    private readonly channel: string,
    /** Called after a run numbered events (local wake-up; other processes get the NOTIFY). */
    private readonly onSequenced: () => void,
    private readonly logger: Logger,
  ) {}

  sequence(): Promise<void> {
    if (!this.current) {
      const run = this.run().finally(() => {
        if (this.current === run) this.current = null;
      });
      this.current = run;
      return run;
    }
    this.next ??= this.current
      .catch(() => {})
      .then(() => {
        this.next = null;
        return this.sequence();
      });
    return this.next;
  }

  /**
   * Before a read: waits for a run in flight (it may hold this process's latest commit), else
   * sequences unless a run ended less than a second ago — readers woken by a run (most reads)
   * no longer cost a statement each.
   */
  beforeRead(): Promise<void> {
    if (!this.current && performance.now() - this.lastRunEnded < freshMs) return Promise.resolve();
    return this.sequence();
  }

  /** Sequences soon, without making the caller wait; failures are logged (readers retry). */
  kick(): void {
    this.sequence().catch((error) =>
      this.logger.warn({ err: error }, 'numbering new events failed; readers will retry'),
    );
  }

  /** Waits for the runs in flight (before the pool closes). */
  async idle(): Promise<void> {
    while (this.current || this.next) await (this.next ?? this.current)?.catch(() => {});
  }

  private async run(): Promise<void> {
    let numbered = 0;
    for (;;) {
      const rows = await rawRows<{ n: string | number }>(
        this.db,
        'SELECT "zapgate_sequence_events"(?, ?) AS "n"',
        [this.channel, batch],
      );
      const n = Number(rows[0]?.n ?? 0);
      numbered += n;
      if (n < batch) break;
    }
    this.lastRunEnded = performance.now();
    if (numbered > 0) this.onSequenced();
  }
}
