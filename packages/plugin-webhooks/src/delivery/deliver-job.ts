import {
  type Counter,
  type Histogram,
  type JobDefinition,
  type Metrics,
  parseRetryAfter,
  RetryJobError,
  type SecretBox,
} from '@zapgate/core';
import type { ResolvedWebhooksOptions } from '../options.js';
import { type AttemptResult, deliveriesRepo, type SendableDelivery } from '../repo/deliveries.js';
import { subscriptionsRepo } from '../repo/subscriptions.js';
import { sqlOf, type WebhooksContext } from '../runtime.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { HttpClient, HttpResult } from './http-client.js';
import { classifyStatus, retryDelay } from './schedule.js';
import { signPayload } from './signer.js';

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
  deliveries: Counter;
  duration: Histogram;
}

const userAgent = 'Zapgate-Webhooks/0.1';
const errorTextLength = 1024;

/** The sender of a running plugin instance: metrics, the circuit breaker, the HTTP client. */
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
 * The `deliver` job: one attempt at one delivery. Jobs are grouped by endpoint (URL origin) so
 * an endpoint gets at most `perEndpointConcurrency` requests at once and an endpoint whose
 * circuit is open is not claimed for (its jobs wait, untried); ordered subscriptions put each
 * chat's deliveries in one lane. A failed attempt that the schedule retries throws
 * {@link RetryJobError}, so the job keeps its place in its lane.
 */
export function deliverJob(
  options: ResolvedWebhooksOptions,
  sender: () => Sender | null,
): JobDefinition<DeliverJob, ResolvedWebhooksOptions> {
  return {
    concurrency: options.concurrency,
    groupConcurrency: options.perEndpointConcurrency,
    groupLimits: () => {
      const breaker = sender()?.breaker;
      return breaker
        ? breaker.limited().map((endpoint) => [endpoint, breaker.capacity(endpoint)] as const)
        : [];
    },
    // attempts are counted on the delivery (its retry schedule); these cover store failures
    maxAttempts: options.retrySchedule.length + 20,
    async handle(job, ctx) {
      const running = sender();
      if (!running) throw new Error('the webhooks plugin is not running');
      const delivery = await deliveriesRepo.begin(sqlOf(ctx), job.payload.deliveryId);
      if (!delivery) return;
      await attempt(running, delivery, ctx, job.signal);
    },
  };
}

async function attempt(
  sender: Sender,
  delivery: SendableDelivery,
  ctx: WebhooksContext,
  signal: AbortSignal,
): Promise<void> {
  const { options, breaker } = sender;
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
  const durationMs = performance.now() - started;
  sender.duration.observe({ endpoint: delivery.endpoint }, durationMs / 1000);

  const { result, label } = outcome(sender, delivery, response, failure, durationMs);
  sender.deliveries.inc({ endpoint: delivery.endpoint, result: label });
  const sql = sqlOf(ctx);
  await deliveriesRepo.record(sql, delivery.id, result);
  if (label === 'gone') {
    await subscriptionsRepo.disable(sql, delivery.subscriptionId, 'The endpoint answered 410 Gone');
    ctx.logger.warn(
      { webhookId: delivery.subscriptionId },
      'webhook endpoint answered 410 Gone; subscription disabled',
    );
  }
  if (result.status === 'pending') {
    throw new RetryJobError(result.error ?? 'delivery failed', { afterMs: result.retryInMs });
  }
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
