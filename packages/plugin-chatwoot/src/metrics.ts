import type { Counter, Histogram, Metrics } from '@zapgate/core';

/** The bridge's metrics, per direction (`to_chatwoot`, `to_whatsapp`) and kind of change. */
export interface BridgeMetrics {
  /** `zapgate_chatwoot_bridged_total{direction,kind}` */
  bridged: Counter;
  /** `zapgate_chatwoot_failed_total{direction,kind,code}` */
  failed: Counter;
  /** `zapgate_chatwoot_bridge_seconds{direction}`: from the event (or callback) to done. */
  latency: Histogram;
  /** `zapgate_chatwoot_callbacks_total{result}`: accepted, duplicate, refused. */
  callbacks: Counter;
}

/** Registers the bridge's metrics with the host. */
export function bridgeMetrics(metrics: Metrics): BridgeMetrics {
  return {
    bridged: metrics.counter(
      'zapgate_chatwoot_bridged_total',
      'Changes bridged between WhatsApp and Chatwoot',
      ['direction', 'kind'],
    ),
    failed: metrics.counter(
      'zapgate_chatwoot_failed_total',
      'Changes that could not be bridged (after their retries, or at once when retrying cannot help)',
      ['direction', 'kind', 'code'],
    ),
    latency: metrics.histogram(
      'zapgate_chatwoot_bridge_seconds',
      'Time from a change (WhatsApp event or Chatwoot callback) to it being bridged',
      ['direction'],
      [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    ),
    callbacks: metrics.counter(
      'zapgate_chatwoot_callbacks_total',
      'Chatwoot callbacks by result (accepted, duplicate, refused)',
      ['result'],
    ),
  };
}
