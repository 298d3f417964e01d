import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createGateway, type Gateway, type GatewayOptions, type Migration } from '@zapgate/core';
import Fastify, {
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import type { ZapgateInstance } from './context.js';
import { type DashboardRoutesOptions, dashboardRoutes } from './dashboard.js';
import { clientErrorHandler, errorHandler, notFoundHandler } from './error-handler.js';
import { type PromMetrics, promMetrics } from './metrics.js';
import { openapiOptions } from './openapi.js';
import { healthRoutes } from './routes/health.js';
import { zapgateRoutes } from './routes-plugin.js';

/** Settings of {@link buildServer} besides the gateway. */
export interface ServerSettings {
  /** The key that reaches everything (at least 16 characters). */
  adminKey: string;
  /** pino options, or `false` for no logs. @default { level: 'info' } */
  logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes. @default 33554432 (32 MiB) */
  bodyLimit?: number;
  /** Trust `X-Forwarded-*` headers. @default false */
  trustProxy?: boolean;
  /** Serve interactive docs at `/docs`. @default true */
  docs?: boolean;
  /** Serve the web dashboard at `/` (`false` turns it off). @default true */
  dashboard?: boolean | DashboardRoutesOptions;
  /** Base URL listed in the OpenAPI `servers`. @default none */
  publicUrl?: string;
  /** Interval of SSE keep-alive comments. @default 15000 */
  sseKeepAliveMs?: number;
  /** Prometheus metrics served at `/metrics` (and given to the gateway built here). @default a new registry */
  metrics?: PromMetrics;
  /** Migration lists of non-plugin owners (the store's), for the admin migrations route. @default {} */
  knownMigrations?: () => Record<string, readonly Migration[]>;
  /** Close the store when the server closes. @default true when the server builds the gateway */
  closeStore?: boolean;
  /**
   * How long starting may take before the server gives up: the gateway's start (the store's
   * first boot — an embedded PGlite creating its data dir takes a minute on a busy machine —
   * and migrations) runs in Fastify's `onReady`, which Fastify otherwise limits to 10 s.
   * @default 300000
   */
  startTimeoutMs?: number;
}

/**
 * One log line per request, when it completes (method, URL, status, time), instead of Fastify's
 * two (incoming and completed): logging at info cost a fifth of the send throughput. Quiet
 * routes (probes, scrapes) log at warn, so nothing for them; errors keep Fastify's line.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/**
 * What the server runs: a ready gateway (its owner starts and stops it), or the parts to
 * build one (the server starts it on ready and stops it on close).
 */
export type BuildServerOptions = ServerSettings &
  ({ gateway: Gateway } | (Omit<GatewayOptions, 'metrics' | 'logger'> & { gateway?: undefined }));

/** A server built by {@link buildServer}. */
export type ZapgateServer = ZapgateInstance & { readonly gateway: Gateway; readonly metrics: PromMetrics };

/**
 * Builds the Zapgate reference server: the REST API under `/v1`, the dashboard at `/`, OpenAPI
 * at `/openapi.json`, docs at `/docs`, `/health/live`, `/health/ready` and `/metrics`. Call `listen()` to serve,
 * or `inject()` in tests.
 *
 * @example
 * const app = buildServer({ adminKey, store: postgresStore(), connector: baileysConnector() });
 * await app.listen({ port: 3000 });
 */
export function buildServer(options: BuildServerOptions): ZapgateServer {
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    bodyLimit: options.bodyLimit ?? 32 * 1024 * 1024,
    trustProxy: options.trustProxy ?? false,
    return503OnClosing: true,
    logController: new OneLinePerRequest(),
    clientErrorHandler,
    pluginTimeout: options.startTimeoutMs ?? 300_000,
    // the router's own refusals (a path that is not a valid URL, a parameter too long)
    frameworkErrors: errorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();
  const metrics = options.metrics ?? promMetrics();
  const owned = !options.gateway;
  const gateway =
    options.gateway ??
    createGateway({
      ...(options as GatewayOptions),
      metrics,
      // core names its parts (`component: 'sessions'`…); a component here would repeat the key
      logger: app.log,
    });

  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  const duration = metrics.histogram(
    'zapgate_http_request_duration_seconds',
    'HTTP request duration by route and status',
    ['method', 'route', 'status'],
  );
  app.addHook('onResponse', async (request, reply) => {
    duration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unknown',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (owned) {
    app.addHook('onReady', async () => gateway.start());
    app.addHook('onClose', async () => {
      await gateway.stop();
      if (options.closeStore ?? true) await gateway.store.close();
    });
  } else if (options.closeStore) {
    app.addHook('onClose', async () => gateway.store.close());
  }

  app.register(
    swagger,
    openapiOptions({
      eventSchemas: gateway.eventSchemas,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    }),
  );
  if (options.docs ?? true) app.register(swaggerUi, { routePrefix: '/docs' });
  if (options.dashboard !== false)
    app.register(dashboardRoutes, typeof options.dashboard === 'object' ? options.dashboard : {});
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.register(healthRoutes, { store: gateway.store, metrics, node: () => gateway.cluster.state() });
  app.register(zapgateRoutes, {
    gateway,
    adminKey: options.adminKey,
    ...(options.sseKeepAliveMs ? { sseKeepAliveMs: options.sseKeepAliveMs } : {}),
    ...(options.knownMigrations ? { knownMigrations: options.knownMigrations } : {}),
  });

  Object.defineProperties(app, { gateway: { value: gateway }, metrics: { value: metrics } });
  return app as ZapgateServer;
}
