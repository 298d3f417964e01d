import { definePlugin, type GatewayPlugin, type JobRun } from '@zapgate/core';
import { campaignsEventSchemas } from './events.js';
import { refuseSuppressed } from './hooks/before-send.js';
import { campaignsMigrations } from './migrations/index.js';
import { type CampaignsOptions, CampaignsOptionsSchema, CampaignsSessionSettings } from './options.js';
import { campaignsRepo } from './repo/campaigns.js';
import { uploadsRepo } from './repo/uploads.js';
import { campaignRoutes } from './routes/campaigns.js';
import { recipientRoutes } from './routes/recipients.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { uploadRoutes } from './routes/uploads.js';
import { runSender, type SendJobPayload, sendJobName, startChain } from './sender/sender.js';
import type { OnSending } from './service/lifecycle.js';
import { onMessageReceived, onMessageSent, onMessageStatus, onSessionStatus } from './tracking/handlers.js';
import { campaignsVersion } from './version.js';

/** Hourly: uploads no campaign refers to, older than `uploadRetentionHours`, are deleted. */
const pruneUploadsJobName = 'prune-uploads';

/** Starting or resuming a campaign starts a send chain for each active session (in the same transaction). */
const onSending: OnSending = async (ctx, tx, campaign) => {
  const startAt = campaign.schedule.startAt ? Date.parse(campaign.schedule.startAt) : Date.now();
  for (const part of await campaignsRepo.sessions(tx.sql, campaign.id))
    if (part.status === 'active') await startChain(ctx, tx, campaign.id, part.sessionId, startAt);
};

/**
 * Campaigns: bulk sends with audiences (JSON, CSV, stored contacts, group participants),
 * templates with variables and spintax, variants, send windows, per-session pacing, opt-outs
 * and per-recipient tracking to `read` and `replied`.
 *
 * @example
 * const gateway = createGateway({
 *   store: postgresStore({ databaseUrl }),
 *   connector: baileysConnector(),
 *   plugins: [campaigns({ defaultCountry: 'BR', optOutConfirmation: 'Ok, you will not hear from us again.' })],
 * });
 */
export const campaigns = (options: CampaignsOptions = {}) =>
  definePlugin({
    id: 'campaigns',
    version: campaignsVersion,
    coreVersion: '>=0.1.0 <1.0.0',
    optionsSchema: CampaignsOptionsSchema,
    options,
    sessionSettingsSchema: CampaignsSessionSettings,
    migrations: campaignsMigrations,
    eventSchemas: campaignsEventSchemas,
    events: {
      'message.sent': onMessageSent,
      'message.status': onMessageStatus,
      'message.received': onMessageReceived,
      'session.status': onSessionStatus,
    },
    hooks: { beforeSend: refuseSuppressed },
    jobs: {
      [sendJobName]: {
        handle: (job, ctx) => runSender(job as JobRun<SendJobPayload>, ctx),
        // a chain waits (up to 2 s) inside its run at high rates: one slot per sending session
        concurrency: 32,
        maxAttempts: 50,
        backoff: { initialMs: 1000, maxMs: 60_000 },
      },
      [pruneUploadsJobName]: {
        handle: async (_job, ctx) => {
          const before = new Date(Date.now() - ctx.options.uploadRetentionHours * 3_600_000);
          await uploadsRepo.prune(ctx.sql!, before);
        },
        cron: '17 * * * *',
        maxAttempts: 3,
      },
    },
    routes: [
      ...campaignRoutes(onSending),
      ...recipientRoutes(),
      ...suppressionRoutes(),
      ...uploadRoutes({
        maxUploadBytes: options.maxUploadBytes ?? CampaignsOptionsSchema.properties.maxUploadBytes.default,
      }),
    ],
  }) satisfies GatewayPlugin<typeof CampaignsOptionsSchema>;

/** The plugin value {@link campaigns} returns. */
export type CampaignsPlugin = ReturnType<typeof campaigns>;
