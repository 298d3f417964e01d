import { type Static, Type } from '@sinclair/typebox';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

/** The default retry schedule: 9 retries spread over about a day (22h 42m 35s). */
export const defaultRetrySchedule: readonly number[] = [
  5 * second,
  30 * second,
  2 * minute,
  10 * minute,
  30 * minute,
  hour,
  3 * hour,
  6 * hour,
  12 * hour,
];

/** Options of {@link webhooks}, as a TypeBox schema with defaults (validated at boot by core). */
export const WebhooksOptionsSchema = Type.Object({
  /**
   * Delays (ms) before each retry; a delivery gets `1 + retrySchedule.length` attempts.
   * @default [5s, 30s, 2m, 10m, 30m, 1h, 3h, 6h, 12h]
   */
  retrySchedule: Type.Array(Type.Integer({ minimum: 0 }), {
    default: [...defaultRetrySchedule],
    maxItems: 50,
  }),
  /**
   * Random spread applied to each retry delay (0.2 = ±20%), so failing receivers are not hit in waves.
   * @default 0.2
   */
  retryJitter: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
  /**
   * Longest `Retry-After` honoured; longer values are clamped.
   * @default 86400000 (24h)
   */
  maxRetryAfterMs: Type.Integer({ minimum: 0, default: 24 * hour }),
  /**
   * Time allowed for one request, from connect to the end of the response body.
   * @default 10000
   */
  timeoutMs: Type.Integer({ minimum: 1, default: 10 * second }),
  /**
   * Bytes of a response body read at most (the rest is discarded).
   * @default 65536
   */
  maxResponseBytes: Type.Integer({ minimum: 0, default: 64 * 1024 }),
  /**
   * Requests in flight at once in this process, across every endpoint (the `deliver` job's
   * concurrency; how often jobs are looked for and their leases are core's `tuning.jobs`).
   * @default 32
   */
  concurrency: Type.Integer({ minimum: 1, default: 32 }),
  /**
   * Requests in flight at once to one endpoint (URL origin) in this process. One endpoint's
   * deliveries per second are at most this many over its response time: at 4 a local receiver
   * got ~870/s with the gateway storing 1,270 messages/s, at 8 ~940/s with each delivered
   * within 0.5 s of its arrival (`pnpm bench`: inbound-postgres).
   * @default 8
   */
  perEndpointConcurrency: Type.Integer({ minimum: 1, default: 8 }),
  /** Pauses an endpoint after consecutive failures, then probes it with one request. */
  circuitBreaker: Type.Object(
    {
      /**
       * Consecutive failures (network errors, timeouts, 5xx, 429) that open the circuit.
       * @default 5
       */
      failureThreshold: Type.Integer({ minimum: 1, default: 5 }),
      /**
       * How long an open circuit pauses its endpoint before one probe is let through.
       * @default 30000
       */
      cooldownMs: Type.Integer({ minimum: 0, default: 30 * second }),
    },
    { default: {} },
  ),
  /**
   * How long the previous secret keeps signing (next to the new one) after a rotation.
   * @default 86400000 (24h)
   */
  secretGraceMs: Type.Integer({ minimum: 0, default: 24 * hour }),
  /**
   * Deliver to loopback, private and link-local addresses (only for receivers on your own network).
   * @default false
   */
  allowPrivateNetworks: Type.Boolean({ default: false }),
  /**
   * Addresses (IPs or CIDRs such as `10.0.0.0/8`) and host names allowed even when private.
   * @default []
   */
  allowlist: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
  /**
   * Refuse `http:` subscription URLs.
   * @default false
   */
  httpsOnly: Type.Boolean({ default: false }),
  /**
   * How long succeeded deliveries are kept (failed ones are kept until redelivered or deleted).
   * @default 604800000 (7 days)
   */
  retentionMs: Type.Integer({ minimum: 0, default: 7 * 24 * hour }),
  /**
   * How long the fan-out uses the enabled subscriptions it holds in memory before checking
   * (one small read) whether another process changed them; changes made through this process
   * apply at once. 0 checks on every event.
   * @default 1000
   */
  subscriptionCacheMs: Type.Integer({ minimum: 0, maximum: hour, default: second }),
});

/** Options after defaults: what `ctx.options` holds. */
export type ResolvedWebhooksOptions = Static<typeof WebhooksOptionsSchema>;

/** Options of {@link webhooks}; every field has a default. */
export type WebhooksOptions = Partial<Omit<ResolvedWebhooksOptions, 'circuitBreaker'>> & {
  circuitBreaker?: Partial<ResolvedWebhooksOptions['circuitBreaker']>;
};
