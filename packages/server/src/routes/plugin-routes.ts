import rateLimit from '@fastify/rate-limit';
import { GatewayError, type MountedRoute, type RouteRequest } from '@zapgate/core';
import type { FastifyRequest } from 'fastify';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { responses } from '../schemas.js';

/** Checks a plugin route can be mounted as declared (fails boot otherwise). */
function checkRoute({ pluginId, route }: MountedRoute) {
  if (route.auth === 'session' && !route.path.includes(':sessionId')) {
    throw new GatewayError(
      'PLUGIN_INVALID_DEFINITION',
      `Route ${route.method} ${route.path} of plugin "${pluginId}" has auth "session" but no :sessionId in its path`,
    );
  }
  if (!route.path.startsWith('/')) {
    throw new GatewayError(
      'PLUGIN_INVALID_DEFINITION',
      `Route path "${route.path}" of plugin "${pluginId}" must start with /`,
    );
  }
}

const rawBodyKey = Symbol('rawBody');
type WithRawBody = FastifyRequest & { [rawBodyKey]?: Buffer };

/**
 * A context whose parsers keep the body as received (routes with `rawBody: true`): JSON is
 * parsed as usual (Fastify's parser, prototype poisoning refused), anything else reaches the
 * handler with `body` undefined; the bytes are in `request.rawBody` either way.
 */
function keepRawBodies(app: ZapgateInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    (request as WithRawBody)[rawBodyKey] = raw;
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type) || raw.length === 0) return done(null, undefined);
    parseJson(request, raw.toString('utf8'), done);
  });
}

/** One rate limit per route and client address, in the API's error shape. */
async function registerRateLimit(app: ZapgateInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new GatewayError(
        'RATE_LIMITED',
        `Too many requests: at most ${context.max} per minute; retry in ${context.after}`,
      ),
  });
}

/** Mounts every plugin route (validated with its schemas, authenticated by its scope). */
export async function pluginRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  if (gateway.routes.some((m) => m.route.limits?.perMinute)) await registerRateLimit(app);
  for (const mounted of gateway.routes) {
    checkRoute(mounted);
    if (mounted.route.rawBody) {
      await app.register(async (child: ZapgateInstance) => {
        keepRawBodies(child);
        mountRoute(child, mounted);
      });
    } else {
      mountRoute(app, mounted);
    }
  }
}

function mountRoute(app: ZapgateInstance, { pluginId, route, ctx }: MountedRoute): void {
  const { response, ...input } = route.schema;
  const toRequest = (request: FastifyRequest): RouteRequest => ({
    params: request.params,
    query: request.query,
    body: request.body,
    headers: request.headers as Record<string, string | undefined>,
    auth: request.auth,
    rawBody: route.rawBody ? ((request as WithRawBody)[rawBodyKey] ?? Buffer.alloc(0)) : undefined,
  });
  const limits = route.limits ?? {};
  app.route({
    method: route.method,
    url: route.path,
    config: {
      auth: route.auth,
      pluginId,
      ...(limits.perMinute ? { rateLimit: { max: limits.perMinute, timeWindow: 60_000 } } : {}),
    },
    ...(limits.bodyBytes ? { bodyLimit: limits.bodyBytes } : {}),
    schema: {
      ...input,
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: route.tags ?? [pluginId],
      ...(route.auth === 'public' ? { security: [] } : {}),
      response: responses(
        response,
        [404, ...(limits.bodyBytes ? [413] : []), ...(limits.perMinute ? [429] : [])],
        {
          authenticated: route.auth !== 'public',
        },
      ),
    },
    ...(route.verify
      ? {
          preHandler: async (request: FastifyRequest) => {
            await route.verify?.(toRequest(request), ctx);
          },
        }
      : {}),
    handler: async (request, reply) => {
      const result = await route.handler(toRequest(request), ctx);
      reply.status(result.status ?? 200);
      if (result.headers) reply.headers(result.headers);
      return result.body === undefined ? reply.send() : reply.send(result.body);
    },
  });
}
