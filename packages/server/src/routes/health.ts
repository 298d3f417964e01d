import { Type } from '@sinclair/typebox';
import type { NodeState, Store } from '@zapgate/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { PromMetrics } from '../metrics.js';
import { rawResponse, responses } from '../schemas.js';

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  store: Store;
  /** This node's state (see core's `ClusterApi.state`). @default always `ready` */
  node?: () => NodeState;
  /** Serve `/metrics` from this registry. @default no `/metrics` route */
  metrics?: PromMetrics;
}

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Optional(Type.Record(Type.String(), Type.String())),
});

/**
 * Probes and scrapes arrive every few seconds: their requests are not logged (warnings, such as
 * a failed readiness check, still are).
 */
const quiet = 'warn';

/** `/health/live`, `/health/ready` (pings the store) and `/metrics` (Prometheus text). */
export const healthRoutes = fp<HealthRoutesOptions>(
  async (app: FastifyInstance, { store, metrics, node = () => 'ready' }) => {
    const tags = ['health'];
    app.get(
      '/health/live',
      {
        config: { auth: 'public' },
        logLevel: quiet,
        schema: {
          operationId: 'getLiveness',
          summary: 'Liveness',
          tags,
          security: [],
          response: responses({ 200: Health }, [], { authenticated: false }),
        },
      },
      async () => ({ status: 'ok' as const }),
    );
    app.get(
      '/health/ready',
      {
        config: { auth: 'public' },
        logLevel: quiet,
        schema: {
          operationId: 'getReadiness',
          summary: 'Readiness',
          description:
            'Answers 503 while the store does not answer, and while this node is not ready for traffic: ' +
            '`checks.node` is `starting` (not joined the other nodes and made its first claim yet), `lapsed` ' +
            '(its session leases went unrenewed for a lease time) or `draining` (stopping: in-flight sends finish, ' +
            'sessions move to other nodes).',
          tags,
          security: [],
          response: responses({ 200: Health, 503: Health }, [], { authenticated: false }),
        },
      },
      async (request, reply) => {
        const state = node();
        const reachable = await store.ping().then(
          () => true,
          (error: unknown) => {
            request.log.warn({ err: error }, 'readiness check failed');
            return false;
          },
        );
        const checks = { store: reachable ? 'ok' : 'unavailable', node: state };
        if (reachable && state === 'ready') return { status: 'ok' as const, checks };
        return reply.status(503).send({ status: 'unavailable' as const, checks });
      },
    );
    if (!metrics) return;
    app.get(
      '/metrics',
      {
        config: { auth: 'public' },
        logLevel: quiet,
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          tags,
          security: [],
          response: responses({ 200: rawResponse('text/plain', 'Prometheus text format') }, [], {
            authenticated: false,
          }),
        },
      },
      async (_request, reply) =>
        reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  },
  { name: '@zapgate/server/health', fastify: '5.x' },
);
