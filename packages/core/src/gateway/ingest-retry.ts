import { isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ConnectorEvent, InboundDelivery } from '../ports/connector.js';
import { backoffDelay, sleep } from './backoff.js';
import type { GatewayTuning } from './options.js';

/**
 * Runs `store` (storing one connector event) until it succeeds. A failure (the database away,
 * a connection killed) is logged at error level with the session id, counted
 * (`zapgate_inbound_store_failures_total`) and retried with backoff.
 *
 * An event WhatsApp has not been told about yet (`delivery.unacknowledged`: the connector
 * withholds the receipt until it is stored) is retried for `unacknowledgedMaxWaitMs` at most,
 * then the call rejects — the connector drops the socket and WhatsApp keeps the message for
 * the next connection (`zapgate_inbound_events_withheld_total`): memory stays bounded and
 * nothing is lost. Any other event was acknowledged already: it is given up only when the
 * gateway stops, after `retryMaxAttempts`, or when more than `maxPendingRetries` events
 * already wait — each counted in `zapgate_inbound_events_lost_total` and logged.
 *
 * Either way, a failure that is the event's own (a {@link GatewayError}: retrying cannot
 * help) is given up at once and counted as lost.
 */
export function ingestWithRetry(deps: {
  logger: Logger;
  metrics: Metrics;
  tuning: GatewayTuning['inbound'];
  signal: AbortSignal;
}): (
  sessionId: string,
  event: ConnectorEvent,
  store: () => Promise<void>,
  delivery?: InboundDelivery,
) => Promise<void> {
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
  const withheld = metrics.counter(
    'zapgate_inbound_events_withheld_total',
    'Inbound WhatsApp events not acknowledged because they could not be stored in time (WhatsApp delivers them again)',
    ['type', 'reason'],
  );
  let pending = 0;
  return async (sessionId, event, store, delivery = {}) => {
    let waiting = false;
    const deadline = Date.now() + tuning.unacknowledgedMaxWaitMs;
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
              : delivery.unacknowledged && Date.now() >= deadline
                ? 'timeout'
                : attempt + 1 >= tuning.retryMaxAttempts
                  ? 'attempts'
                  : !waiting && pending >= tuning.maxPendingRetries
                    ? 'overflow'
                    : null;
          if (reason && reason !== 'rejected' && delivery.unacknowledged) {
            withheld.inc({ type: event.type, reason });
            logger.error(
              { err: error, sessionId, type: event.type, reason },
              'inbound event not stored: its receipt is withheld, WhatsApp delivers it again',
            );
            throw error;
          }
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
          const backoff = backoffDelay(attempt, {
            minDelayMs: tuning.retryMinMs,
            maxDelayMs: tuning.retryMaxMs,
            factor: 2,
          });
          const delayMs = Math.round(
            delivery.unacknowledged ? Math.max(0, Math.min(backoff, deadline - Date.now())) : backoff,
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
