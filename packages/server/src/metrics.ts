import type { Counter, Gauge, Histogram, Metrics } from '@zapgate/core';
import * as prom from 'prom-client';

/** Core's {@link Metrics} backed by a prom-client registry, plus the registry to serve. */
export interface PromMetrics extends Metrics {
  readonly registry: prom.Registry;
}

/** Options of {@link promMetrics}. */
export interface PromMetricsOptions {
  /** Registry to register into. @default a new registry */
  registry?: prom.Registry;
  /** Also collect Node's default process metrics. @default true */
  defaultMetrics?: boolean;
}

/**
 * Prometheus metrics for the gateway and its plugins: asking twice for a name returns the
 * same metric, so plugins can call `ctx.metrics.counter(...)` freely.
 *
 * @example
 * const metrics = promMetrics();
 * createGateway({ store, connector, metrics });
 * app.get('/metrics', async () => metrics.registry.metrics());
 */
export function promMetrics(options: PromMetricsOptions = {}): PromMetrics {
  const registry = options.registry ?? new prom.Registry();
  if (options.defaultMetrics ?? true) prom.collectDefaultMetrics({ register: registry });
  const counters = new Map<string, Counter>();
  const histograms = new Map<string, Histogram>();
  const gauges = new Map<string, Gauge>();
  return {
    registry,
    counter(name, help, labelNames = []) {
      let counter = counters.get(name);
      if (!counter) {
        const metric = new prom.Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
        counter = { inc: (labels = {}, value = 1) => metric.inc(labels, value) };
        counters.set(name, counter);
      }
      return counter;
    },
    histogram(name, help, labelNames = [], buckets) {
      let histogram = histograms.get(name);
      if (!histogram) {
        const metric = new prom.Histogram({
          name,
          help,
          labelNames: [...labelNames],
          registers: [registry],
          ...(buckets ? { buckets: [...buckets] } : {}),
        });
        histogram = { observe: (labels, value) => metric.observe(labels, value) };
        histograms.set(name, histogram);
      }
      return histogram;
    },
    gauge(name, help, labelNames = [], collect) {
      let gauge = gauges.get(name);
      if (!gauge) {
        const metric: prom.Gauge = new prom.Gauge({
          name,
          help,
          labelNames: [...labelNames],
          registers: [registry],
          ...(collect
            ? {
                // cleared first: label values the collector no longer reports disappear
                async collect() {
                  metric.reset();
                  // a store that does not answer leaves the gauge empty (readiness reports it);
                  // a scrape never fails because of one gauge
                  await Promise.resolve(collect(wrapper)).catch(() => {});
                },
              }
            : {}),
        });
        const wrapper: Gauge = { set: (labels, value) => metric.set(labels, value) };
        gauge = wrapper;
        gauges.set(name, gauge);
      }
      return gauge;
    },
  };
}
