import type { StoredEvent } from '../contracts/events.js';
import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { backoffDelay, sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';

/** One session's events for one consumer (the key is the session id, `''` for no session). */
export interface ConsumerStream {
  key: string;
  sessionId: string | null;
  /** Events the reader dispatched to this stream, in order, not yet handled. */
  queue: StoredEvent[];
  /** Parked: the reader skips this stream; its worker reads it from the log after `position`. */
  parked: boolean;
  /**
   * Leaving the parked state: events up to here were skipped by the reader and are read from
   * the log; later ones arrive in `queue`. `null` when not leaving.
   */
  backlogUntil: number | null;
  /** While parked (or leaving): every event of the stream at or below this is handled. */
  position: number;
  /** Failed attempts of the stream's current event. */
  attempts: number;
  running: boolean;
}

interface WorkerDeps {
  name: string;
  owner: string;
  store: Store;
  logger: Logger;
  tuning: GatewayTuning['events'];
  signal: AbortSignal;
  handle(event: StoredEvent): Promise<void>;
  handleBatch?(events: readonly StoredEvent[]): Promise<void>;
  deadLetter?(event: StoredEvent, error: unknown, attempts: number): Promise<void>;
  /** Whether work of this epoch may go on (running, lease still held). */
  live(epoch: number): boolean;
  readerPosition(): number;
  /** A dispatched event is handled (or now belongs to a parked stream); ignored for an old epoch. */
  handled(seq: number, epoch: number): void;
  /** The store refused a write under our lease. */
  lost(epoch: number): void;
}

type Outcome = 'handled' | 'parked' | 'stopped';

/** Runs a consumer's streams: one event at a time per stream, parking a stream that fails. */
export class StreamWorker {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly deps: WorkerDeps) {}

  /** Works the stream until it has nothing queued (or its epoch ends). */
  async run(st: ConsumerStream, epoch: number): Promise<void> {
    const { live, handled } = this.deps;
    // events of a failed batch left to go one by one (the path that retries and parks)
    let single = 0;
    while (live(epoch)) {
      if (st.parked || st.backlogUntil !== null) {
        if (!(await this.drainLog(st, epoch))) return;
        continue;
      }
      const event = st.queue[0];
      if (!event) return;
      if (single === 0 && this.deps.handleBatch && st.queue.length > 1) {
        const batch = st.queue.slice(0, this.deps.tuning.batchSize);
        if (await this.deliverBatch(batch)) {
          if (!live(epoch)) return;
          st.queue.splice(0, batch.length);
          for (const done of batch) handled(done.seq, epoch);
          continue;
        }
        single = batch.length;
      }
      if (single > 0) single--;
      const outcome = await this.deliver(st, event, epoch);
      if (outcome === 'stopped') return;
      if (outcome === 'handled' && live(epoch)) {
        st.queue.shift();
        handled(event.seq, epoch);
      }
    }
  }

  /**
   * Parked: reads the stream's events from the log up to the reader's position and handles
   * them; once caught up, hands the stream back to the reader (after one last pass over what
   * the reader skipped meanwhile) and drops the parked record. False when the epoch ended.
   */
  private async drainLog(st: ConsumerStream, epoch: number): Promise<boolean> {
    const { store, tuning, live, logger, name } = this.deps;
    for (let failures = 0; live(epoch); ) {
      const upTo = st.backlogUntil ?? this.deps.readerPosition();
      const from = st.position;
      let batch: StoredEvent[];
      try {
        batch = await store.events.list({ afterSeq: from, limit: tuning.batchSize, sessionId: st.sessionId });
      } catch (error) {
        logger.warn(
          { err: error, consumer: name, stream: st.key },
          'reading a parked stream failed; retrying',
        );
        await this.pause(failures++);
        continue;
      }
      if (!live(epoch)) return false;
      const todo = batch.filter((e) => e.seq <= upTo);
      for (const event of todo) {
        const outcome = await this.deliver(st, event, epoch);
        if (outcome === 'stopped') return false;
        st.position = event.seq;
      }
      const more = todo.length === tuning.batchSize;
      if (st.position > from && !(await this.save(st, epoch))) return false;
      if (more) continue;
      if (st.parked) {
        // caught up with the reader: from now on it queues this stream's new events again
        st.parked = false;
        st.backlogUntil = this.deps.readerPosition();
        continue;
      }
      if (!(await this.write(epoch, () => store.cursors.unpark(name, this.deps.owner, st.key)))) return false;
      st.backlogUntil = null;
      st.position = 0;
      return true;
    }
    return false;
  }

  /**
   * Handles one event, retrying with backoff; after the last attempt it is dead-lettered.
   * A first failure of a queued event parks the stream (`'parked'`): the reader goes on with
   * the other sessions and the retries happen from the log.
   */
  private async deliver(st: ConsumerStream, event: StoredEvent, epoch: number): Promise<Outcome> {
    const { tuning, logger, name, live } = this.deps;
    for (;;) {
      try {
        await this.limited(() => this.deps.handle(event));
        st.attempts = 0;
        return 'handled';
      } catch (error) {
        st.attempts++;
        if (!live(epoch)) return 'stopped';
        if (st.attempts >= tuning.maxAttempts) {
          if (!(await this.giveUp(event, error, st.attempts, epoch))) return 'stopped';
          st.attempts = 0;
          return 'handled';
        }
        const queued = !st.parked && st.backlogUntil === null;
        if (queued && (await this.park(st, event.seq - 1, epoch))) return 'parked';
        if (!st.parked && st.backlogUntil !== null) this.repark(st, epoch);
        logger.warn(
          { err: error, consumer: name, eventId: event.id, sessionId: event.sessionId, attempt: st.attempts },
          'event handler failed; retrying',
        );
        await this.pause(st.attempts - 1);
        if (!live(epoch)) return 'stopped';
      }
    }
  }

  /** One call for several queued events; false (logged) when it failed: they go one by one. */
  private async deliverBatch(batch: readonly StoredEvent[]): Promise<boolean> {
    try {
      await this.limited(() => this.deps.handleBatch!(batch));
      return true;
    } catch (error) {
      this.deps.logger.warn(
        { err: error, consumer: this.deps.name, events: batch.length, sessionId: batch[0]?.sessionId },
        'event batch handler failed; handling its events one by one',
      );
      return false;
    }
  }

  /** Records the stream as parked at `position`, then releases its queued events. */
  private async park(st: ConsumerStream, position: number, epoch: number): Promise<boolean> {
    const { store, name, owner, logger } = this.deps;
    const saved = await store.cursors.park(name, owner, st.key, position).catch((error: unknown) => {
      logger.warn(
        { err: error, consumer: name, stream: st.key },
        'parking a stream failed; retrying in place',
      );
      return null;
    });
    if (saved === false) this.deps.lost(epoch);
    if (!saved) return false;
    st.position = position;
    this.repark(st, epoch);
    return true;
  }

  /** Back to parked while leaving it (the record still exists): queued events come from the log. */
  private repark(st: ConsumerStream, epoch: number): void {
    st.parked = true;
    st.backlogUntil = null;
    for (const queued of st.queue.splice(0)) this.deps.handled(queued.seq, epoch);
  }

  private save(st: ConsumerStream, epoch: number): Promise<boolean> {
    const { store, name, owner } = this.deps;
    return this.write(epoch, () => store.cursors.park(name, owner, st.key, st.position));
  }

  /** A lease-guarded write, retried while the store fails; false when the lease is gone. */
  private async write(epoch: number, run: () => Promise<boolean>): Promise<boolean> {
    for (let failures = 0; this.deps.live(epoch); failures++) {
      try {
        if (await run()) return true;
        this.deps.lost(epoch);
        return false;
      } catch (error) {
        this.deps.logger.warn(
          { err: error, consumer: this.deps.name },
          'saving a parked stream failed; retrying',
        );
        await this.pause(failures);
      }
    }
    return false;
  }

  private async giveUp(
    event: StoredEvent,
    error: unknown,
    attempts: number,
    epoch: number,
  ): Promise<boolean> {
    const { logger, name, deadLetter, live } = this.deps;
    for (let failures = 0; live(epoch); failures++) {
      try {
        if (deadLetter) await deadLetter(event, error, attempts);
        else logger.error({ err: error, consumer: name, eventId: event.id, attempts }, 'giving up on event');
        return true;
      } catch (storeError) {
        logger.error(
          { err: storeError, consumer: name, eventId: event.id },
          'keeping a dead letter failed; retrying',
        );
        await this.pause(failures);
      }
    }
    return false;
  }

  private pause(attempt: number): Promise<void> {
    const { tuning, signal } = this.deps;
    const delay = backoffDelay(attempt, {
      minDelayMs: tuning.retryMinMs,
      maxDelayMs: tuning.retryMaxMs,
      factor: 2,
    });
    return sleep(delay, signal);
  }

  /** At most `tuning.concurrency` handlers of this consumer at once. */
  private async limited(run: () => Promise<void>): Promise<void> {
    if (this.active >= this.deps.tuning.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      await run();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
