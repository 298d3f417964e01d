import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { GatewayError } from '../errors.js';
import { deepFreeze } from '../plugin/resolve.js';

/** Tunables of the gateway kernel; every field has a default. */
export const GatewayTuning = Type.Object({
  reconnect: Type.Object(
    {
      /** First delay after a drop. @default 1000 */
      minDelayMs: Type.Integer({ minimum: 0, default: 1000 }),
      /** Cap of the delay. @default 60000 */
      maxDelayMs: Type.Integer({ minimum: 1, default: 60_000 }),
      /** Growth per attempt. @default 2 */
      factor: Type.Number({ minimum: 1, default: 2 }),
      /** Attempts before the session is `failed` (0 = never give up). @default 0 */
      maxAttempts: Type.Integer({ minimum: 0, default: 0 }),
      /**
       * Attempts in a row that never reached WhatsApp (the socket or its proxy failed before a
       * QR or a login) before the session is `failed` with the last reason (0 = never). @default 10
       */
      maxFailedStarts: Type.Integer({ minimum: 0, default: 10 }),
    },
    { default: {} },
  ),
  boot: Type.Object(
    {
      /** Sessions connecting at once on start. @default 4 */
      concurrency: Type.Integer({ minimum: 1, default: 4 }),
      /** Pause between two starts in the same slot, randomised ± 50 % (jitter). @default 250 */
      staggerMs: Type.Integer({ minimum: 0, default: 250 }),
      /** How long one start may take before the next begins anyway. @default 30000 */
      settleTimeoutMs: Type.Integer({ minimum: 0, default: 30_000 }),
    },
    { default: {} },
  ),
  cluster: Type.Object(
    {
      /**
       * How long a node's lease on a session lasts without renewal: after a node dies, its
       * sessions move to the others this long after its last heartbeat (plus one heartbeat).
       * @default 10000
       */
      leaseMs: Type.Integer({ minimum: 200, default: 10_000 }),
      /**
       * How often a node renews its leases and looks for sessions without a live owner (it
       * takes up to its fair share of them). Keep it well under `leaseMs`. @default 2000
       */
      heartbeatMs: Type.Integer({ minimum: 50, default: 2000 }),
      /**
       * Sessions a node over its fair share hands over per heartbeat (a joining node takes its
       * share gradually, not as a reconnect storm; 0 = never hand over). @default 1
       */
      handoverPerBeat: Type.Integer({ minimum: 0, default: 1 }),
    },
    { default: {} },
  ),
  events: Type.Object(
    {
      /** Fallback poll when no wake-up arrives. @default 1000 */
      pollIntervalMs: Type.Integer({ minimum: 10, default: 1000 }),
      /**
       * How long a consumer's read waits after a wake-up, so a burst of commits is read (and its
       * cursor committed) once rather than once per commit; at most this much added latency.
       * @default 10
       */
      coalesceMs: Type.Integer({ minimum: 0, maximum: 1000, default: 10 }),
      /** How long a process owns a consumer without renewing. @default 30000 */
      leaseMs: Type.Integer({ minimum: 1000, default: 30_000 }),
      /** Events read per batch. @default 100 */
      batchSize: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      /**
       * Attempts per event and consumer before it becomes a dead letter (kept, listed and
       * retryable over REST; the session's stream moves on). @default 10
       */
      maxAttempts: Type.Integer({ minimum: 1, default: 10 }),
      /**
       * Events a consumer reads ahead of its committed cursor at most (bounded memory; a parked
       * session's events do not count). @default 1000
       */
      maxPending: Type.Integer({ minimum: 1, default: 1000 }),
      /** Handlers of one consumer running at once (one per session at most). @default 8 */
      concurrency: Type.Integer({ minimum: 1, default: 8 }),
      /** How often old events are pruned (see the gateway's `eventRetention`). @default 3600000 (1 h) */
      pruneIntervalMs: Type.Integer({ minimum: 1000, default: 3_600_000 }),
      /** First retry delay of a failing handler. @default 500 */
      retryMinMs: Type.Integer({ minimum: 0, default: 500 }),
      /** Cap of a failing handler's retry delay. @default 60000 */
      retryMaxMs: Type.Integer({ minimum: 1, default: 60_000 }),
    },
    { default: {} },
  ),
  jobs: Type.Object(
    {
      /** How often each process looks for due jobs when nothing woke it. @default 500 */
      pollIntervalMs: Type.Integer({ minimum: 10, default: 500 }),
      /**
       * How long a running job stays reserved without its process renewing it (renewed every
       * third of it); a killed process's jobs run again after it. @default 30000
       */
      leaseMs: Type.Integer({ minimum: 300, default: 30_000 }),
    },
    { default: {} },
  ),
  inbound: Type.Object(
    {
      /** Inbound messages stored per transaction at most (group commit). @default 1000 */
      maxBatch: Type.Integer({ minimum: 1, default: 1000 }),
      /**
       * Inbound messages waiting for storage at most; past it connectors wait (back-pressure,
       * bounded memory). @default 10000
       */
      maxQueued: Type.Integer({ minimum: 1, default: 10_000 }),
      /** First delay before storing a failed inbound event again. @default 200 */
      retryMinMs: Type.Integer({ minimum: 0, default: 200 }),
      /** Cap of that delay. @default 30000 */
      retryMaxMs: Type.Integer({ minimum: 1, default: 30_000 }),
      /** Attempts per inbound event before it is given up (logged, counted). @default 100 */
      retryMaxAttempts: Type.Integer({ minimum: 1, default: 100 }),
      /** Inbound events waiting for a retry at most (bounded memory). @default 10000 */
      maxPendingRetries: Type.Integer({ minimum: 1, default: 10_000 }),
      /**
       * How long a message whose receipt is withheld until it is stored is retried before the
       * connection is dropped (WhatsApp keeps it and the messages behind it, and delivers them
       * on the next connection). @default 60000
       */
      unacknowledgedMaxWaitMs: Type.Integer({ minimum: 0, default: 60_000 }),
    },
    { default: {} },
  ),
  send: Type.Object(
    {
      /**
       * Sends of one session accepted and not yet sent and recorded at most; past it a send is
       * refused with 429 `SEND_QUEUE_FULL` and a `Retry-After` (bounded memory, and the client
       * learns to slow down instead of queueing without limit). @default 1000
       */
      maxQueued: Type.Integer({ minimum: 1, default: 1000 }),
      /**
       * Sends stored per INSERT at most (sends accepted while one INSERT runs share the next),
       * and send outcomes (sent or failed) stored per transaction at most. @default 100
       */
      maxBatch: Type.Integer({ minimum: 1, default: 100 }),
    },
    { default: {} },
  ),
  media: Type.Object(
    {
      /** Largest media file stored or sent, in bytes. @default 67108864 (64 MiB) */
      maxBytes: Type.Integer({ minimum: 1, default: 64 * 1024 * 1024 }),
      /** Download inbound media into the media store. @default true */
      downloadInbound: Type.Boolean({ default: true }),
    },
    { default: {} },
  ),
  /** Keep the content of messages revoked for everyone (for audit). @default true */
  keepDeletedContent: Type.Boolean({ default: true }),
});
export type GatewayTuning = Static<typeof GatewayTuning>;

/** Applies defaults, reports every problem at once, freezes. */
export function resolveTuning(input: unknown): GatewayTuning {
  const value = Value.Default(GatewayTuning, structuredClone(input ?? {})) as GatewayTuning;
  const problems = [...Value.Errors(GatewayTuning, value)].map((e) => `${e.path}: ${e.message}`);
  if (problems.length > 0) {
    throw new GatewayError('VALIDATION_FAILED', `Invalid gateway options: ${problems.join('; ')}`, {
      details: problems,
    });
  }
  return deepFreeze(value);
}
