/** A counter metric. */
export interface Counter {
  inc(labels?: Record<string, string>, value?: number): void;
}

/** A histogram metric (e.g. latency in seconds). */
export interface Histogram {
  observe(labels: Record<string, string>, value: number): void;
}

/** A gauge metric: a value that goes up and down (a queue depth, sessions by status). */
export interface Gauge {
  set(labels: Record<string, string>, value: number): void;
}

/**
 * Reads a gauge's current values when metrics are scraped: the gauge is cleared first, so
 * label values that `collect` no longer sets disappear.
 */
export type GaugeCollector = (gauge: Gauge) => void | Promise<void>;

/**
 * Metrics a host exposes (the server backs this with prom-client and serves `/metrics`).
 * Names are Prometheus names; calling twice with a name returns the same metric (the first
 * call's `collect` is the one kept).
 */
export interface Metrics {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  histogram(
    name: string,
    help: string,
    labelNames?: readonly string[],
    buckets?: readonly number[],
  ): Histogram;
  /**
   * A gauge; with `collect`, its values are read on each scrape (preferred for anything the
   * store knows, so every node reports the same truth without timers).
   */
  gauge(name: string, help: string, labelNames?: readonly string[], collect?: GaugeCollector): Gauge;
}

/** Metrics that go nowhere (the default when the host gives none). */
export const noopMetrics: Metrics = {
  counter: () => ({ inc: () => {} }),
  histogram: () => ({ observe: () => {} }),
  gauge: () => ({ set: () => {} }),
};
