import multipart from '@fastify/multipart';
import type { Gateway, Migration } from '@zapgate/core';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { authenticate } from './auth.js';
import { jsonBodyParser } from './body-parsing.js';
import type { RouteContext, RouteInfo, ZapgateInstance } from './context.js';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { forwardToOwner, servedByHeader } from './forwarding.js';
import { withMediaUrls } from './media-urls.js';
import { adminRoutes } from './routes/admin.js';
import { callerRoutes } from './routes/caller.js';
import { chatActionRoutes } from './routes/chat-actions.js';
import { chatRoutes } from './routes/chats.js';
import { contactActionRoutes } from './routes/contact-actions.js';
import { contactRoutes } from './routes/contacts.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { eventRoutes } from './routes/events.js';
import { groupRoutes } from './routes/groups.js';
import { messageRoutes } from './routes/messages.js';
import { nodeRoutes } from './routes/nodes.js';
import { pluginRoutes } from './routes/plugin-routes.js';
import { pluginSettingsRoutes } from './routes/plugin-settings.js';
import { profileRoutes } from './routes/profile.js';
import { sessionRoutes } from './routes/sessions.js';
import { sessionKeys } from './session-keys.js';
import { createValidatorCompiler } from './validation.js';

/** Options of {@link zapgateRoutes}. */
export interface ZapgateRoutesOptions {
  /** The gateway the API drives (started and stopped by its owner). */
  gateway: Gateway;
  /** The key that reaches everything. */
  adminKey: string;
  /** Where the API is mounted. @default '/v1' */
  prefix?: string;
  /** Interval of SSE keep-alive comments. @default 15000 */
  sseKeepAliveMs?: number;
  /** Largest multipart upload in bytes. @default 67108864 (64 MiB) */
  maxUploadBytes?: number;
  /** Migration lists of non-plugin owners (the store's), for `GET /v1/admin/migrations`. @default {} */
  knownMigrations?: () => Record<string, readonly Migration[]>;
}

/**
 * The Zapgate REST API as a Fastify plugin: mount it on your own Fastify 5 app. Routes live in
 * an encapsulated context (own validator, error handler and 404 under the prefix); only the
 * `app.zapgate` decoration escapes.
 *
 * @example
 * const app = Fastify();
 * await app.register(zapgateRoutes, { gateway, adminKey: process.env.ZAPGATE_ADMIN_KEY! });
 */
export const zapgateRoutes = fp<ZapgateRoutesOptions>(
  async (app: FastifyInstance, options) => {
    const { gateway, adminKey } = options;
    if (!adminKey || adminKey.length < 16)
      throw new Error('zapgateRoutes: adminKey must be at least 16 characters');
    const routeTable: RouteInfo[] = [];
    const streams = new Set<() => void>();
    app.decorate('zapgate', { gateway, routeTable });
    app.decorateRequest('auth', null as never);
    // Hijacked SSE responses would keep `close()` waiting; end them first.
    app.addHook('preClose', async () => {
      for (const end of [...streams]) end();
    });

    const ctx: RouteContext = {
      gateway,
      adminKey,
      sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
      knownMigrations: options.knownMigrations ?? (() => ({})),
      streams,
      keys: sessionKeys(gateway.store),
    };

    await app.register(
      async (api: ZapgateInstance) => {
        api.setValidatorCompiler(createValidatorCompiler());
        // Responses are documented by schema but written as is: fast-json-stringify would
        // pick the wrong branch of open object unions (message contents) and drop fields.
        api.setSerializerCompiler(() => (data) => JSON.stringify(data));
        const prefix = options.prefix ?? '/v1';
        api.addHook('preSerialization', async (_request, _reply, payload) => withMediaUrls(payload, prefix));
        api.setErrorHandler(errorHandler);
        api.setNotFoundHandler(notFoundHandler);
        jsonBodyParser(api as unknown as FastifyInstance);
        await api.register(multipart, {
          limits: { fileSize: options.maxUploadBytes ?? 64 * 1024 * 1024, files: 1, fields: 4, parts: 5 },
        });
        api.addHook('onRoute', (route) => {
          const schema = route.schema as { operationId?: string } | undefined;
          for (const method of [route.method].flat()) {
            if (method === 'HEAD') continue;
            routeTable.push({
              method,
              url: route.url,
              operationId: schema?.operationId ?? '',
              auth: route.config?.auth ?? 'admin',
              ...(route.config?.pluginId ? { pluginId: route.config.pluginId } : {}),
            });
          }
        });
        api.addHook('onRequest', async (request) => {
          if (request.is404) return;
          request.auth = await authenticate(
            request,
            request.routeOptions.config.auth ?? 'admin',
            adminKey,
            gateway.store,
            ctx.keys,
          );
        });
        // after auth (an unauthenticated request is refused here), before validation (the owner's)
        forwardToOwner(api as unknown as FastifyInstance, gateway, adminKey);
        api.addHook('onSend', async (_request, reply) => {
          if (!reply.hasHeader(servedByHeader)) reply.header(servedByHeader, gateway.cluster.nodeId);
        });
        sessionRoutes(api, ctx);
        messageRoutes(api, ctx);
        chatRoutes(api, ctx);
        chatActionRoutes(api, ctx);
        contactRoutes(api, ctx);
        contactActionRoutes(api, ctx);
        groupRoutes(api, ctx);
        profileRoutes(api, ctx);
        eventRoutes(api, ctx);
        callerRoutes(api);
        adminRoutes(api, ctx);
        deadLetterRoutes(api, ctx);
        nodeRoutes(api, ctx);
        pluginSettingsRoutes(api, ctx);
        await pluginRoutes(api, ctx);
      },
      { prefix: options.prefix ?? '/v1' },
    );
  },
  { name: '@zapgate/server', fastify: '5.x' },
);
