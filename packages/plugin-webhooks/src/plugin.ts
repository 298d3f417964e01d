import { Value } from '@sinclair/typebox/value';
import { definePlugin, type GatewayPlugin, SecretBox } from '@zapgate/core';
import { createSender, deliverJob } from './delivery/deliver-job.js';
import { createHttpClient } from './delivery/http-client.js';
import { queueWaiting } from './delivery/queue.js';
import { webhooksEventSchemas } from './events.js';
import { fanOut } from './fan-out.js';
import { webhooksMigrations } from './migrations/index.js';
import { type ResolvedWebhooksOptions, type WebhooksOptions, WebhooksOptionsSchema } from './options.js';
import { deliveriesRepo } from './repo/deliveries.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { scopes } from './routes/scope.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { sqlOf, subscriptionsOf, type WebhooksRuntime } from './runtime.js';
import { secretsPurpose } from './secrets.js';
import { webhookPolicy } from './url-policy.js';
import { webhooksVersion } from './version.js';

/**
 * Webhook subscriptions (per session and global) with durable, signed delivery: every
 * matching event becomes a delivery row in the store and a `deliver` job of core's durable
 * jobs, sent with Standard Webhooks signatures, retried with backoff for about a day,
 * isolated per endpoint, and refused for private addresses unless allowed.
 *
 * @example
 * const gateway = createGateway({
 *   store: postgresStore({ databaseUrl }),
 *   connector: baileysConnector(),
 *   plugins: [webhooks({ allowlist: ['10.0.0.0/8'] })],
 * });
 */
export const webhooks = (options: WebhooksOptions = {}) => {
  const runtime: WebhooksRuntime = { sender: null, secrets: null, subscriptions: null };
  // job slots are declared with the plugin; core validates the same options again at boot
  const declared = Value.Default(WebhooksOptionsSchema, structuredClone(options)) as ResolvedWebhooksOptions;
  return definePlugin({
    id: 'webhooks',
    version: webhooksVersion,
    coreVersion: '>=0.1.0 <1.0.0',
    optionsSchema: WebhooksOptionsSchema,
    options,
    migrations: webhooksMigrations,
    eventSchemas: webhooksEventSchemas,
    events: {
      '*': { batch: (events, ctx) => fanOut(events, ctx, subscriptionsOf(runtime, ctx)) },
    },
    jobs: {
      deliver: deliverJob(declared, () => runtime.sender),
      purge: {
        cron: '17 * * * *',
        maxAttempts: 3,
        async handle(_job, ctx) {
          await deliveriesRepo.purge(sqlOf(ctx), ctx.options.retentionMs);
        },
      },
    },
    routes: scopes(runtime).flatMap((scope) => [...subscriptionRoutes(scope), ...deliveryRoutes(scope)]),
    async setup(ctx) {
      runtime.secrets = new SecretBox(ctx.config.encryptionKey, { purpose: secretsPurpose });
      runtime.sender = createSender(
        ctx.options,
        runtime.secrets,
        createHttpClient(webhookPolicy(ctx.outgoing, ctx.options)),
        ctx.metrics,
      );
      // deliveries left waiting without a job (written before webhooks ran on core's jobs)
      const adopted = await queueWaiting(ctx);
      if (adopted > 0) ctx.logger.info({ deliveries: adopted }, 'queued waiting webhook deliveries');
    },
    async teardown() {
      runtime.sender?.http.close();
      runtime.sender = null;
    },
  }) satisfies GatewayPlugin<typeof WebhooksOptionsSchema>;
};

/** The plugin value {@link webhooks} returns. */
export type WebhooksPlugin = ReturnType<typeof webhooks>;
