import { definePlugin, GatewayError, type GatewayPlugin, SecretBox } from '@zapgate/core';
import { createHttpClient } from './delivery/http-client.js';
import { DeliveryWorker } from './delivery/worker.js';
import { webhooksEventSchemas } from './events.js';
import { fanOut } from './fan-out.js';
import { webhooksMigrations } from './migrations/index.js';
import { type WebhooksOptions, WebhooksOptionsSchema } from './options.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { scopes } from './routes/scope.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { sqlOf, type WebhooksRuntime } from './runtime.js';
import { secretsPurpose } from './secrets.js';
import { webhookPolicy } from './url-policy.js';
import { webhooksVersion } from './version.js';

/**
 * Webhook subscriptions (per session and global) with durable, signed delivery: every
 * matching event becomes a delivery row in the store, sent with Standard Webhooks signatures,
 * retried with backoff for about a day, isolated per endpoint, and refused for private
 * addresses unless allowed.
 *
 * @example
 * const gateway = createGateway({
 *   store: postgresStore({ databaseUrl }),
 *   connector: baileysConnector(),
 *   plugins: [webhooks({ allowlist: ['10.0.0.0/8'] })],
 * });
 */
export const webhooks = (options: WebhooksOptions = {}) => {
  const runtime: WebhooksRuntime = { worker: null, secrets: null };
  return definePlugin({
    id: 'webhooks',
    version: webhooksVersion,
    coreVersion: '>=0.1.0 <1.0.0',
    optionsSchema: WebhooksOptionsSchema,
    options,
    migrations: webhooksMigrations,
    eventSchemas: webhooksEventSchemas,
    events: {
      '*': (event, ctx) => fanOut(event, ctx, runtime),
    },
    routes: scopes(runtime).flatMap((scope) => [...subscriptionRoutes(scope), ...deliveryRoutes(scope)]),
    setup(ctx) {
      if (ctx.options.leaseMs <= ctx.options.timeoutMs) {
        throw new GatewayError(
          'PLUGIN_INVALID_OPTIONS',
          `webhooks: leaseMs (${ctx.options.leaseMs}) must exceed timeoutMs (${ctx.options.timeoutMs})`,
        );
      }
      runtime.secrets = new SecretBox(ctx.config.encryptionKey, { purpose: secretsPurpose });
      runtime.worker = new DeliveryWorker({
        sql: sqlOf(ctx),
        options: ctx.options,
        secrets: runtime.secrets,
        http: createHttpClient(webhookPolicy(ctx.outgoing, ctx.options)),
        logger: ctx.logger,
        metrics: ctx.metrics,
        scheduler: ctx.scheduler,
      });
      runtime.worker.start();
    },
    async teardown() {
      await runtime.worker?.stop();
      runtime.worker = null;
    },
  }) satisfies GatewayPlugin<typeof WebhooksOptionsSchema>;
};

/** The plugin value {@link webhooks} returns. */
export type WebhooksPlugin = ReturnType<typeof webhooks>;
