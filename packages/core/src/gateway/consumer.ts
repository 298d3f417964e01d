import type { StoredEvent } from '../contracts/events.js';
import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { type EventFollower, followEvents } from './event-follower.js';
import type { GatewayTuning } from './options.js';
import { type ConsumerStream, StreamWorker } from './stream-worker.js';

/** Options of one durable consumer. */
export interface ConsumerOptions {
  /** Stable name: its cursor (and its parked streams) are stored under it. */
  name: string;
  /** This process's identity for leases. */
  owner: string;
  store: Store;
  logger: Logger;
  tuning: GatewayTuning['events'];
  /**
   * Where a consumer that has no cursor yet starts: `'end'` sees only events appended from
   * then on, `'beginning'` every event still in the log. @default 'end'
   */
  startAt?: 'end' | 'beginning';
  /** Handles one event; throwing retries it with backoff (holding back only its session). */
  handle(event: StoredEvent): Promise<void>;
  /**
   * Handles the queued events of one stream at once (in order, at most `tuning.batchSize`);
   * throwing hands each of them to `handle`, one by one. @default one event per call
   */
  handleBatch?(events: readonly StoredEvent[]): Promise<void>;
  /**
   * Keeps an event given up after `tuning.maxAttempts` failed attempts (e.g. in the
   * dead-letter store); throwing keeps retrying that. @default logs the event at error level
   */
  deadLetter?(event: StoredEvent, error: unknown, attempts: number): Promise<void>;
}

/**
 * Reads the event log and hands each event to `handle` at least once, one stream per session
 * (events without a session are one stream of their own): in log order within a stream, streams
 * side by side (at most `tuning.concurrency` handlers at once).
 *
 * A failing event holds back only its stream: the stream is *parked* (recorded in the store),
 * the reader goes on with every other session, and the parked stream retries with backoff and
 * then catches up from the log on its own; after `tuning.maxAttempts` the event goes to
 * `deadLetter` and the stream moves on. The committed cursor is the position below which every
 * event is handled or belongs to a parked stream, so a crash resumes without losing any.
 * One process at a time holds the consumer (a lease); after a crash the lease expires and
 * another resumes.
 */
export class DurableConsumer {
  private running = false;
  private follower: EventFollower | null = null;
  private readonly abort = new AbortController();
  /** Bumped whenever the lease is (re)taken or lost: work of an older epoch stops. */
  private epoch = 0;
  private held = false;
  /** When the lease was last taken or renewed (by a claim or a commit). */
  private renewedAt = 0;
  private committed = 0;
  /** The position of the last event the reader dispatched or skipped. */
  private readerPos = 0;
  /** Dispatched, not yet handled events (in order) — they hold the committed cursor back. */
  private inflight: number[] = [];
  private readonly done = new Set<number>();
  private readonly streams = new Map<string, ConsumerStream>();
  private readonly workers = new Set<Promise<void>>();
  private committing: Promise<void> | null = null;
  private commitAgain = false;
  private readonly worker: StreamWorker;

  constructor(private readonly options: ConsumerOptions) {
    this.worker = new StreamWorker({
      ...options,
      signal: this.abort.signal,
      live: (epoch) => this.running && this.epoch === epoch,
      readerPosition: () => this.readerPos,
      handled: (seq, epoch) => {
        if (this.epoch === epoch && this.held) this.markDone(seq);
      },
      lost: (epoch) => this.lose(epoch),
    });
  }

  /** The consumer's stable name. */
  get name(): string {
    return this.options.name;
  }

  /** The committed position while this process holds the consumer, else `null` (for lag metrics). */
  get position(): number | null {
    return this.running && this.held ? this.committed : null;
  }

  /**
   * Starts following the log. A consumer new to the store gets its cursor here (at the log's
   * current end unless `startAt: 'beginning'`), so every event appended after `start()`
   * resolves reaches it.
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { store, tuning, logger, name, owner } = this.options;
    try {
      const initial = this.options.startAt === 'beginning' ? 0 : await store.events.head();
      await store.cursors.claim(name, owner, tuning.leaseMs, initial);
    } catch (error) {
      // the reader creates the cursor on its first claim instead
      logger.warn({ err: error, consumer: name }, 'could not create the consumer cursor yet');
    }
    this.follower = followEvents({
      store,
      after: 0,
      batchSize: tuning.batchSize,
      pollIntervalMs: tuning.pollIntervalMs,
      coalesceMs: tuning.coalesceMs,
      beforeRead: () => this.beforeRead(),
      onEvents: (events) => this.dispatch(events),
      onError: (error) =>
        logger.error({ err: error, consumer: name }, 'consumer could not read the event log'),
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await this.follower?.stop();
    while (this.workers.size > 0) await Promise.all(this.workers);
    await this.committing;
    if (this.held) await this.flushCommit().catch(() => {});
    await this.options.store.cursors.release(this.options.name, this.options.owner).catch(() => {});
  }

  /** Renews the lease; on taking it over, restarts from the committed cursor and parked streams. */
  private async beforeRead(): Promise<boolean | number> {
    const { store, name, owner, tuning } = this.options;
    // renewing on every read would cost a write per batch; commits renew it too
    if (this.held && Date.now() - this.renewedAt < tuning.leaseMs / 4) {
      return this.inflight.length < tuning.maxPending;
    }
    let initial = 0;
    if (!this.held && this.options.startAt !== 'beginning') initial = await store.events.head();
    const claimedAt = Date.now();
    const position = await store.cursors.claim(name, owner, tuning.leaseMs, initial);
    if (!this.running) return false;
    if (position === null) {
      if (this.held) this.lose(this.epoch);
      return false;
    }
    this.renewedAt = claimedAt;
    if (this.held) return this.inflight.length < tuning.maxPending;
    const parked = await store.cursors.parked(name);
    if (!this.running) return false;
    this.held = true;
    const epoch = ++this.epoch;
    this.committed = position;
    this.readerPos = position;
    for (const { stream, position: from } of parked) {
      const st = this.stream(stream, stream === '' ? null : stream);
      st.parked = true;
      st.position = from;
      this.run(st, epoch);
    }
    return position;
  }

  private dispatch(events: StoredEvent[]): void {
    if (!this.held || !this.running) return;
    const epoch = this.epoch;
    for (const event of events) {
      this.readerPos = event.seq;
      const key = event.sessionId ?? '';
      const st = this.stream(key, event.sessionId);
      if (st.parked) continue; // its worker reads it from the log
      this.inflight.push(event.seq);
      st.queue.push(event);
      if (!st.running) this.run(st, epoch);
    }
    this.scheduleCommit();
  }

  private stream(key: string, sessionId: string | null): ConsumerStream {
    let st = this.streams.get(key);
    if (!st) {
      st = {
        key,
        sessionId,
        queue: [],
        parked: false,
        backlogUntil: null,
        position: 0,
        attempts: 0,
        running: false,
      };
      this.streams.set(key, st);
    }
    return st;
  }

  private run(st: ConsumerStream, epoch: number): void {
    st.running = true;
    const work = this.worker
      .run(st, epoch)
      .catch((error) =>
        this.options.logger.error({ err: error, consumer: this.options.name }, 'stream failed'),
      )
      .finally(() => {
        st.running = false;
        this.workers.delete(work);
        if (this.streams.get(st.key) !== st) return;
        const idle = st.queue.length === 0 && !st.parked && st.backlogUntil === null;
        if (idle) this.streams.delete(st.key);
        // only an unexpected error ends a worker with work left: run it again after a pause
        else if (this.running && this.epoch === epoch)
          setTimeout(() => {
            if (!st.running && this.running && this.epoch === epoch) this.run(st, epoch);
          }, this.options.tuning.retryMaxMs).unref?.();
      });
    this.workers.add(work);
  }

  private markDone(seq: number): void {
    this.done.add(seq);
    let head = this.inflight[0];
    const wasFull = this.inflight.length >= this.options.tuning.maxPending;
    while (head !== undefined && this.done.has(head)) {
      this.done.delete(head);
      this.inflight.shift();
      head = this.inflight[0];
    }
    this.scheduleCommit();
    if (wasFull && this.inflight.length < this.options.tuning.maxPending) this.follower?.wake();
  }

  /** Every event at or below this position is handled or belongs to a parked stream. */
  private target(): number {
    const head = this.inflight[0];
    return head === undefined ? this.readerPos : head - 1;
  }

  private scheduleCommit(): void {
    if (this.committing) {
      this.commitAgain = true;
      return;
    }
    if (!this.held || this.target() <= this.committed) return;
    // a short wait first: the events handled meanwhile are committed by the same write
    const { coalesceMs } = this.options.tuning;
    const wait = coalesceMs > 0 ? new Promise((r) => setTimeout(r, coalesceMs)) : Promise.resolve();
    this.committing = wait
      .then(() => this.flushCommit())
      .catch((error) =>
        this.options.logger.warn({ err: error, consumer: this.options.name }, 'committing the cursor failed'),
      )
      .finally(() => {
        this.committing = null;
        if (this.commitAgain) {
          this.commitAgain = false;
          this.scheduleCommit();
        }
      });
  }

  private async flushCommit(): Promise<void> {
    const { store, name, owner, tuning } = this.options;
    const epoch = this.epoch;
    const target = this.target();
    if (target <= this.committed) return;
    const committedAt = Date.now();
    if (await store.cursors.commit(name, owner, target, tuning.leaseMs)) {
      this.renewedAt = committedAt;
      if (this.epoch === epoch) this.committed = Math.max(this.committed, target);
    } else {
      this.lose(epoch);
    }
  }

  /** The lease is gone: drop every piece of work of this epoch; the reader claims again. */
  private lose(epoch: number): void {
    if (this.epoch !== epoch || !this.held) return;
    this.options.logger.warn({ consumer: this.options.name }, 'consumer lease lost; resuming from the store');
    this.held = false;
    this.epoch++;
    this.streams.clear();
    this.inflight = [];
    this.done.clear();
  }
}
