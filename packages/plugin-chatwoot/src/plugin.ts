import { definePlugin, type GatewayPlugin, noopMetrics, type PluginContext } from '@zapgate/core';
import { chatwootEventSchemas } from './events.js';
import { type ImportChatJob, type ImportJob, runImport, runImportChat } from './jobs/import.js';
import { jobNames, requestStart } from './jobs/run.js';
import { runStart, type StartJob } from './jobs/start.js';
import {
  bridgedEventTypes,
  enqueueToChatwoot,
  runToChatwoot,
  type ToChatwootJob,
} from './jobs/to-chatwoot.js';
import { runToWhatsapp, type ToWhatsappJob } from './jobs/to-whatsapp.js';
import { type BridgeMetrics, bridgeMetrics } from './metrics.js';
import { chatwootMigrations } from './migrations/index.js';
import { type ChatwootOptions, ChatwootOptionsSchema, type ResolvedChatwootOptions } from './options.js';
import type { JobDefinition, JobRun } from './platform.js';
import { deliveriesRepo } from './repo/deliveries.js';
import { bridgeRoutes } from './routes/bridge.js';
import { callbackRoute } from './routes/callback.js';
import { platformOf, sqlOf } from './runtime.js';
import { ChatwootSettingsSchema } from './settings.js';
import { chatwootVersion } from './version.js';

type Ctx = PluginContext<ResolvedChatwootOptions>;

/**
 * Two-way Chatwoot bridge per session through an API-channel inbox. Configured per session
 * (`PUT /v1/sessions/{sessionId}/plugins/chatwoot`); every change in either direction is a
 * durable job — a chat's WhatsApp changes run one at a time in the chat's lane on whichever
 * node takes them, so a burst of first messages makes one conversation — and Chatwoot's
 * callback is verified (signature or URL token) and answered at once.
 *
 * @example
 * const gateway = createGateway({
 *   store: postgresStore({ databaseUrl }),
 *   connector: baileysConnector(),
 *   config: { publicUrl: 'https://gw.example.com' },
 *   plugins: [webhooks(), chatwoot({ concurrency: 16 })],
 * });
 */
export const chatwoot = (options: ChatwootOptions = {}) => {
  // Registered at setup; handlers of a plugin that was never set up count nothing.
  const runtime: { metrics: BridgeMetrics } = { metrics: bridgeMetrics(noopMetrics) };
  const concurrency = options.concurrency ?? 8;
  const job = <P>(
    handle: (ctx: Ctx, job: JobRun<P>) => Promise<void>,
    extra: Partial<JobDefinition<P, ResolvedChatwootOptions>> = {},
  ): JobDefinition<P, ResolvedChatwootOptions> => ({
    handle: (run, ctx) => handle(ctx, run),
    maxAttempts: options.maxAttempts ?? 40,
    backoff: { initialMs: 1000, maxMs: options.maxRetryDelayMs ?? 15 * 60_000 },
    ...extra,
  });
  const plugin = definePlugin({
    id: 'chatwoot',
    version: chatwootVersion,
    coreVersion: '>=0.1.0 <1.0.0',
    optionsSchema: ChatwootOptionsSchema,
    options,
    migrations: chatwootMigrations,
    eventSchemas: chatwootEventSchemas,
    events: {
      ...Object.fromEntries(
        bridgedEventTypes.map((type) => [
          type,
          (event: never, ctx: Ctx) => enqueueToChatwoot(platformOf(ctx), event),
        ]),
      ),
      'plugin.settings.*': async (event, ctx) => {
        const { pluginId } = event.data as { pluginId?: string };
        if (pluginId === 'chatwoot' && event.sessionId) await requestStart(platformOf(ctx), event.sessionId);
      },
    },
    routes: [
      callbackRoute(runtime, {
        bodyBytes: options.callbackBodyLimit ?? 1024 * 1024,
        toleranceMs: options.callbackToleranceMs ?? 5 * 60_000,
      }),
      ...bridgeRoutes,
    ],
    setup(ctx) {
      runtime.metrics = bridgeMetrics(ctx.metrics);
    },
  }) satisfies GatewayPlugin<typeof ChatwootOptionsSchema>;
  const jobs: Record<string, JobDefinition<never, ResolvedChatwootOptions>> = {
    [jobNames.toChatwoot]: job<ToChatwootJob>(
      (ctx, run) => runToChatwoot(platformOf(ctx), runtime.metrics, run),
      {
        concurrency,
      },
    ),
    [jobNames.toWhatsapp]: job<ToWhatsappJob>(
      (ctx, run) => runToWhatsapp(platformOf(ctx), runtime.metrics, run),
      {
        concurrency,
      },
    ),
    [jobNames.start]: job<StartJob>((ctx, run) => runStart(platformOf(ctx), run), { concurrency: 2 }),
    [jobNames.import]: job<ImportJob>((ctx, run) => runImport(platformOf(ctx), runtime.metrics, run), {
      concurrency: 1,
    }),
    [jobNames.importChat]: job<ImportChatJob>(
      (ctx, run) => runImportChat(platformOf(ctx), runtime.metrics, run),
      {
        concurrency: 2,
      },
    ),
    // Delivery ids older than the timestamp tolerance can go: such a repeat is refused by its timestamp.
    [jobNames.prune]: job<Record<string, never>>(
      async (ctx) => {
        const tolerance = ctx.options.callbackToleranceMs;
        await deliveriesRepo.prune(sqlOf(ctx), new Date(Date.now() - 2 * tolerance));
      },
      { cron: '*/10 * * * *', maxAttempts: 3 },
    ),
  } as never;
  return Object.assign(plugin, { sessionSettingsSchema: ChatwootSettingsSchema, jobs });
};

/** The plugin value {@link chatwoot} returns. */
export type ChatwootPlugin = ReturnType<typeof chatwoot>;
