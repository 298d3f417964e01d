import pLimit from 'p-limit';
import type { Logger } from '../logger.js';
import { sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';

/** What starting many sessions needs from the session manager. */
export interface ConnectManyParts {
  tuning: GatewayTuning['boot'];
  /** Aborts when starting stored sessions should end (boot cancelled, manager stopped). */
  signal: AbortSignal;
  stopping: () => boolean;
  connect: (sessionId: string) => Promise<unknown>;
  /** Resolves when the session's current socket settles (open, qr or close). */
  settled: (sessionId: string) => Promise<void> | undefined;
  logger: Logger;
}

/** Bounded concurrency, each start waiting for the previous in its slot to settle, with jitter. */
export async function connectMany(sessionIds: readonly string[], parts: ConnectManyParts): Promise<void> {
  const { concurrency, settleTimeoutMs, staggerMs } = parts.tuning;
  const { signal } = parts;
  const limit = pLimit(concurrency);
  await Promise.all(
    sessionIds.map((sessionId) =>
      limit(async () => {
        if (parts.stopping() || signal.aborted) return;
        try {
          await parts.connect(sessionId);
          const settled = parts.settled(sessionId);
          if (settled) await settleWithin(settled, settleTimeoutMs, signal);
        } catch (error) {
          parts.logger.error({ err: error, sessionId }, 'could not reconnect session on boot');
        }
        // jitter: nodes starting together do not reconnect in lockstep
        await sleep(staggerMs * (0.5 + Math.random()), signal);
      }),
    ),
  );
}

/** Waits for `promise`, at most `ms`, or until `signal` aborts; leaves no timer or listener behind. */
async function settleWithin(promise: Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  const done = new AbortController();
  const abort = () => done.abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    await Promise.race([promise, sleep(ms, done.signal)]);
  } finally {
    signal.removeEventListener('abort', abort);
    done.abort();
  }
}
