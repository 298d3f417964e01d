/** A counter metric. */
export interface Counter {
  inc(labels?: Record<string, string>, value?: number): void;
}

/** A histogram metric (e.g. latency in seconds). */
export interface Histogram {
  observe(labels: Record<string, string>, value: number): void;
}

/**
 * Metrics a host exposes (the server backs this with prom-client and serves `/metrics`).
 * Names are Prometheus names; calling twice with a name returns the same metric.
 */
export interface Metrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  histogram(
    name: string,
    help: string,
    labelNames?: readonly string[],
    buckets?: readonly number[],
  ): Histogram;
}

/** Metrics that go nowhere (the default when the host gives none). */
export const noopMetrics: Metrics = {
  counter: () => ({ inc: () => {} }),
  histogram: () => ({ observe: () => {} }),
};
