import type { Message } from '../../contracts/message.js';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { SentMessage } from '../../ports/connector.js';
import type { Store } from '../../ports/store.js';
import { failureCode, type MessageMetrics } from '../gateway-metrics.js';
import type { GatewayTuning } from '../options.js';
import type { PreparedSend } from './prepare.js';
import { recordFailedIn, recordSentManyIn } from './status.js';

/** A place in a session's send queue, taken before the send is stored. */
export interface SendSlot {
  /** Queues the stored send; returns at once (its outcome becomes the message's status). */
  dispatch(prepared: PreparedSend, pending: Message): void;
  /** Gives the place back (the send was not stored). */
  release(): void;
}

/** Hands stored sends to their connection, one at a time per session, in the order stored. */
export interface Dispatcher {
  /**
   * A place in the session's queue, or 429 `SEND_QUEUE_FULL` with a `Retry-After` when
   * `send.maxQueued` sends of the session are waiting to be sent and recorded.
   */
  reserve(sessionId: string): SendSlot;
  /** The same 429 as {@link reserve} when the queue is full, without taking a place. */
  assertRoom(sessionId: string): void;
  /**
   * Resolves when the session's queue (or every queue) is empty: each place taken so far is
   * given back, or its send is sent and recorded — also a send still being prepared and stored.
   */
  drain(sessionId?: string): Promise<void>;
}

type Outcome = { pending: Message } & ({ sent: SentMessage } | { error: unknown });

interface Lane {
  /** Sends reserved, queued, sending or being recorded. */
  waiting: number;
  /** The tail of the session's sends (one at a time, in order). */
  sending: Promise<unknown>;
  /** Outcomes not stored yet, in send order. */
  outcomes: Outcome[];
  recording: boolean;
  /** Sends finished per second, smoothed (for `Retry-After`). */
  rate: number;
  lastDoneAt: number;
  /** Drains waiting for the lane to empty. */
  emptied: (() => void)[];
}

/**
 * A {@link Dispatcher} with one bounded lane per session. Sending and recording overlap: the
 * next send goes out while the outcomes of the previous ones are stored, up to
 * `send.maxBatch` of them per transaction (group commit), so the drain keeps up with what the
 * API accepts instead of paying a commit per send before the next one starts.
 */
export function createDispatcher(
  store: Store,
  logger: Logger,
  counters: Pick<MessageMetrics, 'sent' | 'sendFailures'>,
  tuning: GatewayTuning['send'],
): Dispatcher {
  const lanes = new Map<string, Lane>();
  const laneOf = (sessionId: string) => {
    let lane = lanes.get(sessionId);
    if (!lane) {
      lane = {
        waiting: 0,
        sending: Promise.resolve(),
        outcomes: [],
        recording: false,
        rate: 0,
        lastDoneAt: 0,
        emptied: [],
      };
      lanes.set(sessionId, lane);
    }
    return lane;
  };
  const assertRoomIn = (sessionId: string, lane: Lane) => {
    if (lane.waiting < tuning.maxQueued) return;
    const seconds = Math.min(60, Math.max(1, Math.ceil(lane.waiting / Math.max(lane.rate, 1))));
    throw new GatewayError(
      'SEND_QUEUE_FULL',
      `Session ${sessionId} has ${lane.waiting} sends waiting (at most ${tuning.maxQueued}); retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
    );
  };
  const retireIfEmpty = (sessionId: string, lane: Lane) => {
    if (lane.waiting > 0 || lane.recording) return;
    if (lanes.get(sessionId) === lane) lanes.delete(sessionId);
    for (const resolve of lane.emptied.splice(0)) resolve();
  };
  const finished = (sessionId: string, lane: Lane, count: number) => {
    const now = Date.now();
    if (lane.lastDoneAt) {
      const instant = (count * 1000) / Math.max(1, now - lane.lastDoneAt);
      lane.rate = lane.rate ? 0.8 * lane.rate + 0.2 * instant : instant;
    }
    lane.lastDoneAt = now;
    lane.waiting -= count;
    retireIfEmpty(sessionId, lane);
  };
  /** Stores outcomes in order: each run of sends in a few statements, a failure on its own. */
  const write = async (tx: Parameters<Parameters<Store['transaction']>[0]>[0], outcomes: Outcome[]) => {
    let sends: { pending: Message; sent: SentMessage }[] = [];
    const flush = async () => {
      if (sends.length === 0) return;
      await tx.events.appendMany(await recordSentManyIn(tx, sends));
      sends = [];
    };
    for (const outcome of outcomes) {
      if ('sent' in outcome) sends.push(outcome);
      else {
        await flush();
        await recordFailedIn(tx, outcome.pending, outcome.error);
      }
    }
    await flush();
  };
  const record = async (sessionId: string, lane: Lane) => {
    if (lane.recording) return;
    lane.recording = true;
    try {
      while (lane.outcomes.length > 0) {
        const batch = lane.outcomes.splice(0, tuning.maxBatch);
        try {
          await store.transaction((tx) => write(tx, batch));
        } catch {
          // one outcome that cannot be stored must not take the others with it: each alone
          for (const outcome of batch) {
            await store
              .transaction((tx) => write(tx, [outcome]))
              .catch((error) =>
                logger.error(
                  { err: error, sessionId, waid: outcome.pending.waid },
                  'could not record a send; the message stays pending until the next start fails it',
                ),
              );
          }
        }
        finished(sessionId, lane, batch.length);
      }
    } finally {
      lane.recording = false;
      retireIfEmpty(sessionId, lane);
    }
  };
  return {
    async drain(sessionId) {
      const drained = sessionId === undefined ? [...lanes.values()] : [lanes.get(sessionId)];
      // a lane is forgotten as soon as it is empty: one still here has a place taken
      await Promise.all(
        drained.map((lane) => lane && new Promise<void>((resolve) => lane.emptied.push(resolve))),
      );
    },
    assertRoom(sessionId) {
      const lane = lanes.get(sessionId);
      if (lane) assertRoomIn(sessionId, lane);
    },
    reserve(sessionId) {
      const lane = laneOf(sessionId);
      assertRoomIn(sessionId, lane);
      lane.waiting++;
      let used = false;
      return {
        release() {
          if (used) return;
          used = true;
          finished(sessionId, lane, 1);
        },
        dispatch({ connection, to, outbound, refs }, pending) {
          if (used) return;
          used = true;
          const task = async () => {
            try {
              const sent = await connection.send(to, outbound, { waid: pending.waid, ...refs });
              counters.sent.inc({ type: pending.msgType });
              lane.outcomes.push({ pending, sent });
            } catch (error) {
              counters.sendFailures.inc({ code: failureCode(error) });
              logger.warn({ err: error, sessionId, waid: pending.waid }, 'send failed');
              lane.outcomes.push({ pending, error });
            }
            if (!lane.recording) void record(sessionId, lane);
          };
          lane.sending = lane.sending.then(task, task);
        },
      };
    },
  };
}
