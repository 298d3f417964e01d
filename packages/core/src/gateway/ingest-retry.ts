import { isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ConnectorEvent } from '../ports/connector.js';
import { backoffDelay, sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';

/**
 * Runs `store` (storing one connector event) until it succeeds. WhatsApp was already told
 * the event arrived, so a failure (the database away, a connection killed) is never dropped:
 * it is logged at error level with the session id, counted
 * (`zapgate_inbound_store_failures_total`) and retried with backoff. Given up only when the
 * gateway stops, when the failure is the event's own (a {@link GatewayError}: retrying cannot
 * help), after `maxAttempts`, or when more than `maxPending` events already wait — each of
 * these is counted in `zapgate_inbound_events_lost_total` and logged.
 */
export function ingestWithRetry(deps: {
  logger: Logger;
  metrics: Metrics;
  tuning: GatewayTuning['inbound'];
  signal: AbortSignal;
}): (sessionId: string, event: ConnectorEvent, store: () => Promise<void>) => Promise<void> {
  const { logger, metrics, tuning, signal } = deps;
  const failures = metrics.counter(
    'zapgate_inbound_store_failures_total',
    'Failed attempts to store an inbound WhatsApp event (each is retried)',
    ['type'],
  );
  const lost = metrics.counter(
    'zapgate_inbound_events_lost_total',
    'Inbound WhatsApp events given up on after failed stores',
    ['type', 'reason'],
  );
  let pending = 0;
  return async (sessionId, event, store) => {
    let waiting = false;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await store();
          return;
        } catch (error) {
          failures.inc({ type: event.type });
          const reason = isGatewayError(error)
            ? 'rejected'
            : signal.aborted
              ? 'stopped'
              : attempt + 1 >= tuning.retryMaxAttempts
                ? 'attempts'
                : !waiting && pending >= tuning.maxPendingRetries
                  ? 'overflow'
                  : null;
          if (reason) {
            lost.inc({ type: event.type, reason });
            logger.error(
              { err: error, sessionId, type: event.type, reason },
              'inbound event lost: storing it failed',
            );
            return;
          }
          if (!waiting) {
            waiting = true;
            pending++;
          }
          const delayMs = Math.round(
            backoffDelay(attempt, {
              minDelayMs: tuning.retryMinMs,
              maxDelayMs: tuning.retryMaxMs,
              factor: 2,
            }),
          );
          logger.error(
            { err: error, sessionId, type: event.type, attempt: attempt + 1, delayMs },
            'storing an inbound event failed; retrying',
          );
          await sleep(delayMs, signal);
        }
      }
    } finally {
      if (waiting) pending--;
    }
  };
}
