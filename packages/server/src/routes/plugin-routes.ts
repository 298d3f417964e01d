import { GatewayError, type MountedRoute } from '@zapgate/core';
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

/** Mounts every plugin route (validated with its schemas, authenticated by its scope). */
export function pluginRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  for (const mounted of gateway.routes) {
    checkRoute(mounted);
    const { pluginId, route, ctx } = mounted;
    const { response, ...input } = route.schema;
    app.route({
      method: route.method,
      url: route.path,
      config: { auth: route.auth, pluginId },
      schema: {
        ...input,
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        tags: route.tags ?? [pluginId],
        ...(route.auth === 'public' ? { security: [] } : {}),
        response: responses(response, [404], { authenticated: route.auth !== 'public' }),
      },
      handler: async (request, reply) => {
        const result = await route.handler(
          {
            params: request.params,
            query: request.query,
            body: request.body,
            headers: request.headers as Record<string, string | undefined>,
            auth: request.auth,
          },
          ctx,
        );
        reply.status(result.status ?? 200);
        if (result.headers) reply.headers(result.headers);
        return result.body === undefined ? reply.send() : reply.send(result.body);
      },
    });
  }
}
