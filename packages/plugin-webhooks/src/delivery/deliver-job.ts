import {
  type Counter,
  type Histogram,
  type JobDefinition,
  type JobRun,
  type Metrics,
  parseRetryAfter,
  RetryJobError,
  type SecretBox,
} from '@zapgate/core';
import type { ResolvedWebhooksOptions } from '../options.js';
import { type AttemptResult, deliveriesRepo, type SendableDelivery } from '../repo/deliveries.js';
import { subscriptionsRepo } from '../repo/subscriptions.js';
import { sqlOf } from '../runtime.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { HttpClient, HttpResult } from './http-client.js';
import { classifyStatus, retryDelay } from './schedule.js';
import { signPayload } from './signer.js';
import { type RequestSlots, requestSlots } from './slots.js';

/** Payload of a `deliver` job: one delivery row. */
export interface DeliverJob {
  deliveryId: string;
}

/** Result label of `zapgate_webhook_deliveries_total`. */
export type DeliveryResultLabel = 'success' | 'retry' | 'failed' | 'rejected' | 'gone';

/** What delivering needs while the plugin runs (built in `setup`). */
export interface Sender {
  options: ResolvedWebhooksOptions;
  secrets: SecretBox;
  http: HttpClient;
  breaker: CircuitBreaker;
  /** Requests in flight: `perEndpointConcurrency` per endpoint, `concurrency` in all. */
  slots: RequestSlots;
  deliveries: Counter;
  duration: Histogram;
}

const userAgent = 'Zapgate-Webhooks/0.1';
const errorTextLength = 1024;

/** The sender of a running plugin instance: metrics, the circuit breaker, request slots, the HTTP client. */
export function createSender(
  options: ResolvedWebhooksOptions,
  secrets: SecretBox,
  http: HttpClient,
  metrics: Metrics,
): Sender {
  return {
    options,
    secrets,
    http,
    breaker: new CircuitBreaker(options.circuitBreaker),
    slots: requestSlots(options.concurrency, options.perEndpointConcurrency),
    deliveries: metrics.counter(
      'zapgate_webhook_deliveries_total',
      'Webhook delivery attempts by endpoint (URL origin) and result',
      ['endpoint', 'result'],
    ),
    duration: metrics.histogram(
      'zapgate_webhook_delivery_duration_seconds',
      'Duration of webhook delivery requests by endpoint (URL origin)',
      ['endpoint'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
  };
}

/**
 * Deliveries claimed per request slot: the job claims up to this many deliveries for each
 * request it may have in flight (in total and per endpoint), so one claim, one read and one
 * write serve a batch while the sender keeps the requests themselves within the options. At 4
 * one endpoint got at most 16 deliveries per claim cycle, ~380/s on a quiet 2-core box; at 16,
 * ~600/s (`pnpm bench`: inbound-postgres), and a dead endpoint still does not slow the others
 * (its claimed deliveries wait in its own request slots).
 */
const claimAhead = 16;

/**
 * The `deliver` job: one attempt at each delivery of a batch (one endpoint's, core's
 * `handleBatch`). Jobs are grouped by endpoint (URL origin); a batch is read in one statement,
 * sent with at most `perEndpointConcurrency` requests in flight per endpoint (`concurrency` in
 * all), and its results are recorded in one statement. An endpoint whose circuit is open is
 * not claimed for (its jobs wait, untried); ordered subscriptions put each chat's deliveries
 * in one lane. A failed attempt that the schedule retries fails its job with
 * {@link RetryJobError}, so the job keeps its place in its lane.
 */
export function deliverJob(
  options: ResolvedWebhooksOptions,
  sender: () => Sender | null,
): JobDefinition<DeliverJob, ResolvedWebhooksOptions> {
  return {
    concurrency: options.concurrency * claimAhead,
    groupConcurrency: options.perEndpointConcurrency * claimAhead,
    batchSize: options.perEndpointConcurrency * claimAhead,
    groupLimits: () => {
      const breaker = sender()?.breaker;
      return breaker
        ? breaker.limited().map((endpoint) => [endpoint, breaker.capacity(endpoint)] as const)
        : [];
    },
    // attempts are counted on the delivery (its retry schedule); these cover store failures
    maxAttempts: options.retrySchedule.length + 20,
    async handleBatch(jobs, ctx) {
      const running = sender();
      if (!running) throw new Error('the webhooks plugin is not running');
      const sql = sqlOf(ctx);
      const deliveries = await deliveriesRepo.begin(
        sql,
        jobs.map((job) => job.payload.deliveryId),
      );
      const failed = new Map<string, unknown>();
      const attempts: { job: JobRun<DeliverJob>; delivery: SendableDelivery; sent: Sent }[] = [];
      await Promise.all(
        jobs.map(async (job) => {
          const delivery = deliveries.get(job.payload.deliveryId);
          if (!delivery) return; // nothing to send: done
          try {
            attempts.push({ job, delivery, sent: await send(running, delivery, job.signal) });
          } catch (error) {
            failed.set(job.id, error);
          }
        }),
      );
      const now = performance.now();
      await deliveriesRepo.record(
        sql,
        attempts.map(({ delivery, sent }) => ({
          id: delivery.id,
          result: sent.result,
          endedMsAgo: now - sent.endedAt,
        })),
      );
      const gone = new Set<string>();
      for (const { job, delivery, sent } of attempts) {
        if (sent.label === 'gone') gone.add(delivery.subscriptionId);
        if (sent.result.status === 'pending') {
          const { error, retryInMs } = sent.result;
          failed.set(job.id, new RetryJobError(error ?? 'delivery failed', { afterMs: retryInMs }));
        }
      }
      for (const subscriptionId of gone) {
        await subscriptionsRepo.disable(sql, subscriptionId, 'The endpoint answered 410 Gone');
        ctx.logger.warn(
          { webhookId: subscriptionId },
          'webhook endpoint answered 410 Gone; subscription disabled',
        );
      }
      return failed;
    },
  };
}

/** How one attempt ended, to be recorded with its batch. */
interface Sent {
  result: AttemptResult;
  label: DeliveryResultLabel;
  /** `performance.now()` when the response (or failure) came. */
  endedAt: number;
}

/**
 * Sends one delivery within its endpoint's and the process's request slots. Throws (the job is
 * retried without counting an attempt of the delivery) when the job was aborted, or when the
 * endpoint's circuit opened while it waited for a slot.
 */
function send(sender: Sender, delivery: SendableDelivery, signal: AbortSignal): Promise<Sent> {
  const { breaker, options } = sender;
  return sender.slots(delivery.endpoint, async () => {
    signal.throwIfAborted();
    if (breaker.capacity(delivery.endpoint) === 0) {
      throw new RetryJobError('circuit open; not attempted', { afterMs: options.circuitBreaker.cooldownMs });
    }
    const body = JSON.stringify(delivery.payload);
    const secrets = [sender.secrets.open(delivery.secret)];
    if (delivery.previousSecret && Date.parse(delivery.previousSecretExpiresAt ?? '') > Date.now()) {
      secrets.push(sender.secrets.open(delivery.previousSecret));
    }
    breaker.started(delivery.endpoint);
    const started = performance.now();
    let response: HttpResult | null = null;
    let failure: string | null = null;
    try {
      response = await sender.http.post({
        url: delivery.url,
        body,
        headers: {
          ...delivery.headers,
          'user-agent': userAgent,
          ...signPayload(secrets, delivery.eventId, body),
        },
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        signal,
      });
    } catch (error) {
      if (signal.aborted) {
        // stopping (the job is given back and runs again) or the lease was lost: no verdict
        breaker.abandoned(delivery.endpoint);
        throw error;
      }
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const endedAt = performance.now();
    const durationMs = endedAt - started;
    sender.duration.observe({ endpoint: delivery.endpoint }, durationMs / 1000);
    const { result, label } = outcome(sender, delivery, response, failure, durationMs);
    sender.deliveries.inc({ endpoint: delivery.endpoint, result: label });
    return { result, label, endedAt };
  });
}

function outcome(
  sender: Sender,
  delivery: SendableDelivery,
  response: HttpResult | null,
  failure: string | null,
  durationMs: number,
): { result: AttemptResult; label: DeliveryResultLabel } {
  const { options, breaker } = sender;
  const statusCode = response?.status ?? null;
  const verdict = response ? classifyStatus(response.status) : 'retry';
  const error = response
    ? verdict === 'succeeded'
      ? null
      : `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, errorTextLength)}` : ''}`
    : (failure ?? 'unknown error').slice(0, errorTextLength);
  const base = { statusCode, error, durationMs };
  if (verdict === 'succeeded' || verdict === 'rejected' || verdict === 'gone') {
    breaker.succeeded(delivery.endpoint); // it answered: the endpoint is up
    return verdict === 'succeeded'
      ? { result: { ...base, status: 'succeeded' }, label: 'success' }
      : { result: { ...base, status: 'failed' }, label: verdict };
  }
  breaker.failed(delivery.endpoint);
  // this attempt is counted when recorded: it is attempt number attempts + 1
  const scheduled = retryDelay(delivery.attempts + 1, options.retrySchedule, options.retryJitter);
  if (scheduled === null) return { result: { ...base, status: 'failed' }, label: 'failed' };
  const header = response?.headers['retry-after'];
  const retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header);
  const retryInMs = retryAfter === null ? scheduled : Math.min(retryAfter, options.maxRetryAfterMs);
  return { result: { ...base, status: 'pending', retryInMs }, label: 'retry' };
}
