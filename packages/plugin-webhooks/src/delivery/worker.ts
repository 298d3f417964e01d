import { randomUUID } from 'node:crypto';
import {
  type Counter,
  type Histogram,
  type Logger,
  type Metrics,
  parseRetryAfter,
  type Scheduler,
  type SecretBox,
  type SqlClient,
} from '@zapgate/core';
import type { ResolvedWebhooksOptions } from '../options.js';
import { type AttemptResult, type ClaimedDelivery, deliveriesRepo } from '../repo/deliveries.js';
import { subscriptionsRepo } from '../repo/subscriptions.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { HttpClient, HttpResult } from './http-client.js';
import { classifyStatus, retryDelay } from './schedule.js';
import { signPayload } from './signer.js';

/** What the worker needs from the plugin context. */
export interface DeliveryWorkerDeps {
  sql: SqlClient;
  options: ResolvedWebhooksOptions;
  secrets: SecretBox;
  http: HttpClient;
  logger: Logger;
  metrics: Metrics;
  scheduler: Scheduler;
}

/** Result label of `zapgate_webhook_deliveries_total`. */
export type DeliveryResultLabel = 'success' | 'retry' | 'failed' | 'rejected' | 'gone';

const userAgent = 'Zapgate-Webhooks/0.1';
const errorTextLength = 1024;

/**
 * Sends due deliveries. Rows are claimed in short transactions (`FOR UPDATE SKIP LOCKED`, so
 * any number of processes can run one) with a lease, then sent outside any transaction; the
 * result is written back under the claim token. Slots are global (`concurrency`) and per
 * endpoint (`perEndpointConcurrency`), and an endpoint whose circuit is open is not claimed
 * for, so a slow or dead receiver holds at most its own slots and never the others'.
 */
export class DeliveryWorker {
  private readonly inflight = new Map<string, number>();
  private total = 0;
  private readonly running = new Set<Promise<void>>();
  private pumping = false;
  private again = false;
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private readonly abort = new AbortController();
  private readonly breaker: CircuitBreaker;
  private readonly deliveries: Counter;
  private readonly duration: Histogram;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.breaker = new CircuitBreaker(deps.options.circuitBreaker);
    this.deliveries = deps.metrics.counter(
      'zapgate_webhook_deliveries_total',
      'Webhook delivery attempts by endpoint (URL origin) and result',
      ['endpoint', 'result'],
    );
    this.duration = deps.metrics.histogram(
      'zapgate_webhook_delivery_duration_seconds',
      'Duration of webhook delivery requests by endpoint (URL origin)',
      ['endpoint'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }

  start(): void {
    const { scheduler, options } = this.deps;
    scheduler.every('webhooks:poll', options.pollIntervalMs, () => this.pump());
    scheduler.every('webhooks:purge', 60 * 60 * 1000, async () => {
      await deliveriesRepo.purge(this.deps.sql, options.retentionMs);
    });
    this.wake();
  }

  /** Looks for due deliveries now (after inserts, and when a slot frees up). */
  wake(): void {
    void this.pump();
  }

  /** Claims for freed slots together: completions close in time share one claim query. */
  private wakeSoon(): void {
    if (this.wakeTimer || this.stopped) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wake();
    }, 5);
  }

  /** Stops claiming, aborts requests in flight and gives their deliveries back. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.abort.abort();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    this.deps.http.close();
  }

  /** True when `endpoint`'s circuit is open (for tests and health). */
  isPaused(endpoint: string): boolean {
    return this.breaker.isOpen(endpoint);
  }

  private async pump(): Promise<void> {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        const free = this.deps.options.concurrency - this.total;
        if (free <= 0) break;
        const claimed = await deliveriesRepo.claim(this.deps.sql, {
          limit: free,
          perEndpoint: this.deps.options.perEndpointConcurrency,
          caps: this.caps(),
          leaseMs: this.deps.options.leaseMs,
          token: randomUUID(),
        });
        for (const delivery of claimed) this.launch(delivery);
        if (claimed.length === free) this.again = true;
      } while (this.again && !this.stopped);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'webhook deliveries could not be claimed');
    } finally {
      this.pumping = false;
    }
  }

  /** Remaining slots of endpoints that are busy or paused (others get `perEndpointConcurrency`). */
  private caps(): Record<string, number> {
    const caps: Record<string, number> = {};
    const limit = this.deps.options.perEndpointConcurrency;
    for (const endpoint of new Set([...this.inflight.keys(), ...this.breaker.limited()])) {
      const room = limit - (this.inflight.get(endpoint) ?? 0);
      caps[endpoint] = Math.max(0, Math.min(room, this.breaker.capacity(endpoint)));
    }
    return caps;
  }

  private launch(delivery: ClaimedDelivery): void {
    const { endpoint } = delivery;
    this.total += 1;
    this.inflight.set(endpoint, (this.inflight.get(endpoint) ?? 0) + 1);
    this.breaker.started(endpoint);
    const done: Promise<void> = this.deliver(delivery)
      .catch((error) =>
        this.deps.logger.error({ err: error, deliveryId: delivery.id }, 'webhook delivery crashed'),
      )
      .finally(() => {
        this.total -= 1;
        const left = (this.inflight.get(endpoint) ?? 1) - 1;
        if (left > 0) this.inflight.set(endpoint, left);
        else this.inflight.delete(endpoint);
        this.running.delete(done);
        this.wakeSoon();
      });
    this.running.add(done);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { sql, options, logger } = this.deps;
    if (this.stopped) {
      this.breaker.abandoned(delivery.endpoint);
      return deliveriesRepo.release(sql, delivery.id, delivery.claimToken);
    }
    const body = JSON.stringify(delivery.payload);
    const secrets = [this.deps.secrets.open(delivery.secret)];
    if (delivery.previousSecret && Date.parse(delivery.previousSecretExpiresAt ?? '') > Date.now()) {
      secrets.push(this.deps.secrets.open(delivery.previousSecret));
    }
    const started = performance.now();
    let response: HttpResult | null = null;
    let failure: string | null = null;
    try {
      response = await this.deps.http.post({
        url: delivery.url,
        body,
        headers: {
          ...delivery.headers,
          'user-agent': userAgent,
          ...signPayload(secrets, delivery.eventId, body),
        },
        timeoutMs: options.timeoutMs,
        maxResponseBytes: options.maxResponseBytes,
        signal: this.abort.signal,
      });
    } catch (error) {
      if (this.stopped) {
        this.breaker.abandoned(delivery.endpoint);
        return deliveriesRepo.release(sql, delivery.id, delivery.claimToken);
      }
      failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    const durationMs = performance.now() - started;
    this.duration.observe({ endpoint: delivery.endpoint }, durationMs / 1000);

    const { result, label } = this.outcome(delivery, response, failure, durationMs);
    this.deliveries.inc({ endpoint: delivery.endpoint, result: label });
    if (label === 'gone') {
      await subscriptionsRepo.disable(sql, delivery.subscriptionId, 'The endpoint answered 410 Gone');
      logger.warn(
        { webhookId: delivery.subscriptionId },
        'webhook endpoint answered 410 Gone; subscription disabled',
      );
    }
    if (!(await deliveriesRepo.record(sql, delivery.id, delivery.claimToken, result))) {
      logger.warn(
        { deliveryId: delivery.id },
        'webhook delivery lease was lost before its result was recorded',
      );
    }
  }

  private outcome(
    delivery: ClaimedDelivery,
    response: HttpResult | null,
    failure: string | null,
    durationMs: number,
  ): { result: AttemptResult; label: DeliveryResultLabel } {
    const { options } = this.deps;
    const statusCode = response?.status ?? null;
    const outcome = response ? classifyStatus(response.status) : 'retry';
    const error = response
      ? outcome === 'succeeded'
        ? null
        : `HTTP ${response.status}${response.body ? `: ${response.body.slice(0, errorTextLength)}` : ''}`
      : (failure ?? 'unknown error').slice(0, errorTextLength);
    const base = { statusCode, error, durationMs };
    if (outcome === 'succeeded' || outcome === 'rejected' || outcome === 'gone') {
      this.breaker.succeeded(delivery.endpoint); // it answered: the endpoint is up
      return outcome === 'succeeded'
        ? { result: { ...base, status: 'succeeded' }, label: 'success' }
        : { result: { ...base, status: 'failed' }, label: outcome };
    }
    this.breaker.failed(delivery.endpoint);
    const scheduled = retryDelay(delivery.attempts, options.retrySchedule, options.retryJitter);
    if (scheduled === null) return { result: { ...base, status: 'failed' }, label: 'failed' };
    const header = response?.headers['retry-after'];
    const retryAfter = parseRetryAfter(Array.isArray(header) ? header[0] : header);
    const retryInMs = retryAfter === null ? scheduled : Math.min(retryAfter, options.maxRetryAfterMs);
    return { result: { ...base, status: 'pending', retryInMs }, label: 'retry' };
  }
}
