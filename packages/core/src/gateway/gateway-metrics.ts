import type { Message } from '../contracts/message.js';
import { SessionStatus } from '../contracts/session.js';
import { isGatewayError } from '../errors.js';
import type { Counter, Metrics } from '../metrics.js';
import type { Store } from '../ports/store.js';
import type { DurableConsumer } from './consumer.js';

/** The counters the message paths record into. */
export interface MessageMetrics {
  /** Messages stored from WhatsApp that others sent, by `type`. */
  received: Counter;
  /** Sends WhatsApp accepted, by `type`. */
  sent: Counter;
  /** Sends that ended `failed`, by error `code`. */
  sendFailures: Counter;
}

const statuses = SessionStatus.anyOf.map((literal) => literal.const as string);

/**
 * The gateway's operator metrics: sessions by status and event-log lag per consumer (read
 * from the store on each scrape, so every status is reported, 0 included, and an alert on
 * `zapgate_sessions{status="failed"} > 0` works), dead letters by plugin and kind, and the
 * message counters.
 */
export function gatewayMetrics(
  metrics: Metrics,
  store: Store,
  consumers: () => readonly DurableConsumer[],
): MessageMetrics {
  metrics.gauge('zapgate_sessions', 'Sessions by status', ['status'], async (gauge) => {
    const counts = new Map(statuses.map((status) => [status, 0]));
    for (const session of await store.sessions.list())
      counts.set(session.status, (counts.get(session.status) ?? 0) + 1);
    for (const [status, count] of counts) gauge.set({ status }, count);
  });
  metrics.gauge(
    'zapgate_event_consumer_lag',
    'Events in the durable log after the position of a consumer running in this process, by consumer',
    ['consumer'],
    async (gauge) => {
      const running = consumers().filter((consumer) => consumer.position !== null);
      if (running.length === 0) return;
      const head = await store.events.head();
      for (const consumer of running)
        gauge.set({ consumer: consumer.name }, Math.max(0, head - (consumer.position ?? head)));
    },
  );
  // a plugin/kind seen once is reported 0 after its last letter went (retried or deleted)
  const seen = new Set<string>();
  metrics.gauge(
    'zapgate_dead_letters',
    'Dead letters kept (work given up after its last attempt), by plugin and kind (job, event)',
    ['plugin', 'kind'],
    async (gauge) => {
      const counts = await store.deadLetters.counts();
      const now = new Set(counts.map((c) => JSON.stringify([c.pluginId, c.kind])));
      for (const key of seen) {
        if (now.has(key)) continue;
        const [plugin, kind] = JSON.parse(key) as [string, string];
        gauge.set({ plugin, kind }, 0);
      }
      for (const { pluginId, kind, count } of counts) {
        seen.add(JSON.stringify([pluginId, kind]));
        gauge.set({ plugin: pluginId, kind }, count);
      }
    },
  );
  return {
    received: metrics.counter(
      'zapgate_messages_received_total',
      'Messages received from WhatsApp (stored, sent by others), by type',
      ['type'],
    ),
    sent: metrics.counter(
      'zapgate_messages_sent_total',
      'Messages handed to WhatsApp by the send path (a later refusal counts in zapgate_send_failures_total too), by type',
      ['type'],
    ),
    sendFailures: metrics.counter(
      'zapgate_send_failures_total',
      'Sends that ended failed, by error code (UNKNOWN when the error had none)',
      ['code'],
    ),
  };
}

/** What a node knows of itself, for {@link nodeMetrics}. */
export interface NodeSelf {
  id: string;
  /** Sessions this node runs now. */
  owned(): number;
  /** Milliseconds since its leases were last renewed (`null` alone, before joining or stopped). */
  renewalAgeMs(): number | null;
}

/**
 * Metrics about this node, labelled `node` with its id: every node's `/metrics` tells its own
 * (store-wide gauges such as `zapgate_sessions` read the same on every node). The sessions it
 * runs, how old its lease renewal is (alert well before it reaches the lease time: past it
 * the node drops every session) and how many sessions it lost to another node.
 */
export function nodeMetrics(metrics: Metrics, self: NodeSelf): { leaseLost: () => void } {
  const node = self.id;
  metrics.gauge('zapgate_node_sessions', 'Sessions this node runs (holds the lease of)', ['node'], (gauge) =>
    gauge.set({ node }, self.owned()),
  );
  metrics.gauge(
    'zapgate_node_lease_renewal_age_seconds',
    'Seconds since this node last renewed its session leases (absent on a single node without leases)',
    ['node'],
    (gauge) => {
      const age = self.renewalAgeMs();
      if (age !== null) gauge.set({ node }, age / 1000);
    },
  );
  const lost = metrics.counter(
    'zapgate_node_leases_lost_total',
    'Sessions this node dropped because another node took their lease (it was paused, cut off or slow)',
    ['node'],
  );
  return { leaseLost: () => lost.inc({ node }) };
}

/** Counts stored inbound messages: by type, only those others sent. */
export function countReceived(counter: Counter, messages: readonly Message[]): void {
  const byType = new Map<string, number>();
  for (const m of messages) if (!m.isFromMe) byType.set(m.msgType, (byType.get(m.msgType) ?? 0) + 1);
  for (const [type, n] of byType) counter.inc({ type }, n);
}

/** The stable code of a send failure. */
export const failureCode = (error: unknown): string => (isGatewayError(error) ? error.code : 'UNKNOWN');
