import type { Message } from '../../contracts/message.js';
import type { Logger } from '../../logger.js';
import type { Store } from '../../ports/store.js';
import { failureCode, type MessageMetrics } from '../gateway-metrics.js';
import type { PreparedSend } from './prepare.js';
import { recordFailed, recordSent } from './status.js';

/** Hands stored sends to their connection, one at a time per session, in the order stored. */
export interface Dispatcher {
  /** Queues the send; returns at once (its outcome becomes the message's status). */
  dispatch(prepared: PreparedSend, pending: Message): void;
  /** Resolves when the sends queued so far (of one session, or of all) have settled. */
  drain(sessionId?: string): Promise<void>;
}

/** A {@link Dispatcher} with one in-memory queue per session. */
export function createDispatcher(
  store: Store,
  logger: Logger,
  counters: Pick<MessageMetrics, 'sent' | 'sendFailures'>,
): Dispatcher {
  const queues = new Map<string, Promise<unknown>>();
  const enqueue = (sessionId: string, task: () => Promise<void>) => {
    const next = (queues.get(sessionId) ?? Promise.resolve()).then(task, task);
    queues.set(
      sessionId,
      next.catch(() => {}),
    );
  };
  return {
    async drain(sessionId) {
      await Promise.all(sessionId === undefined ? [...queues.values()] : [queues.get(sessionId)]);
    },
    dispatch({ sessionId, connection, to, outbound, refs }, pending) {
      enqueue(sessionId, async () => {
        try {
          const sent = await connection.send(to, outbound, { waid: pending.waid, ...refs });
          await recordSent(store, pending, sent);
          counters.sent.inc({ type: pending.msgType });
        } catch (error) {
          counters.sendFailures.inc({ code: failureCode(error) });
          logger.warn({ err: error, sessionId, waid: pending.waid }, 'send failed');
          await recordFailed(store, pending, error);
        }
      });
    },
  };
}
