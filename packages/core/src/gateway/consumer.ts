import type { StoredEvent } from '../contracts/events.js';
import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { backoffDelay, sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';

/** Options of one durable consumer. */
export interface ConsumerOptions {
  /** Stable name: its cursor is stored under it. */
  name: string;
  /** This process's identity for leases. */
  owner: string;
  store: Store;
  logger: Logger;
  tuning: GatewayTuning['events'];
  /** Handles one event; throwing retries it with backoff. */
  handle(event: StoredEvent): Promise<void>;
}

/**
 * Reads the event log after its committed cursor and hands each event to `handle`, in order,
 * at least once: the cursor moves only after the handler returned. One process at a time
 * holds the consumer (a lease); after a crash the lease expires and another resumes.
 */
export class DurableConsumer {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;
  /** Set by a wake-up that arrived while we were busy, so the next idle returns at once. */
  private woken = false;
  private unsubscribe: (() => void) | null = null;
  private held: number | null = null;

  constructor(private readonly options: ConsumerOptions) {}

  /** The consumer's stable name. */
  get name(): string {
    return this.options.name;
  }

  /** The committed position while this process holds the consumer, else `null` (for lag metrics). */
  get position(): number | null {
    return this.running ? this.held : null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.store.onEventsAppended(() => {
      this.woken = true;
      this.wake?.();
    });
    this.loop = this.run().catch((error) =>
      this.options.logger.error({ err: error }, 'consumer loop crashed'),
    );
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.wake?.();
    this.unsubscribe?.();
    await this.loop;
    await this.options.store.cursors.release(this.options.name, this.options.owner).catch(() => {});
  }

  private async run(): Promise<void> {
    const { store, name, owner, tuning, logger } = this.options;
    while (this.running) {
      let worked = false;
      this.woken = false;
      try {
        const position = await store.cursors.claim(name, owner, tuning.leaseMs);
        this.held = position;
        if (position !== null) worked = await this.drain(position);
      } catch (error) {
        logger.error({ err: error, consumer: name }, 'consumer could not read the event log');
      }
      if (!worked) await this.idle();
    }
  }

  /** Processes one batch; true when there may be more. */
  private async drain(position: number): Promise<boolean> {
    const { store, name, owner, tuning } = this.options;
    const events = await store.events.list({ afterSeq: position, limit: tuning.batchSize });
    for (const event of events) {
      if (!this.running) return false;
      const handled = await this.handleWithRetry(event);
      if (!handled) return false;
      if (!(await store.cursors.commit(name, owner, event.seq, tuning.leaseMs))) {
        this.held = null; // lease lost
        return false;
      }
      this.held = event.seq;
    }
    return events.length === tuning.batchSize;
  }

  private async handleWithRetry(event: StoredEvent): Promise<boolean> {
    const { tuning, logger, name, store, owner } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.handle(event);
        return true;
      } catch (error) {
        if (attempt + 1 >= tuning.maxAttempts) {
          logger.error(
            { err: error, consumer: name, eventId: event.id, attempts: attempt + 1 },
            'giving up on event',
          );
          return true;
        }
        const delay = backoffDelay(attempt, {
          minDelayMs: tuning.retryMinMs,
          maxDelayMs: tuning.retryMaxMs,
          factor: 2,
        });
        logger.warn(
          { err: error, consumer: name, eventId: event.id, attempt: attempt + 1, delayMs: Math.round(delay) },
          'event handler failed; retrying',
        );
        await sleep(delay, this.abort.signal);
        if (!this.running) return false;
        // keep the lease while we wait on a failing handler
        if ((await store.cursors.claim(name, owner, tuning.leaseMs)) === null) return false;
      }
    }
  }

  private idle(): Promise<void> {
    if (this.woken) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.tuning.pollIntervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = null;
        resolve();
      }
      this.wake = done;
    });
  }
}
