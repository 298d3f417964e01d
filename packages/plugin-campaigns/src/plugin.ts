import { definePlugin, type GatewayPlugin, type JobRun } from '@zapgate/core';
import { campaignsEventSchemas } from './events.js';
import { refuseSuppressed } from './hooks/before-send.js';
import { campaignsMigrations } from './migrations/index.js';
import { type CampaignsOptions, CampaignsOptionsSchema, CampaignsSessionSettings } from './options.js';
import { campaignsRepo } from './repo/campaigns.js';
import { campaignRoutes } from './routes/campaigns.js';
import { recipientRoutes } from './routes/recipients.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { runSender, type SendJobPayload, sendJobName, startChain } from './sender/sender.js';
import type { OnSending } from './service/lifecycle.js';
import { onMessageReceived, onMessageSent, onMessageStatus, onSessionStatus } from './tracking/handlers.js';
import { campaignsVersion } from './version.js';

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
    },
    routes: [...campaignRoutes(onSending), ...recipientRoutes(), ...suppressionRoutes()],
  }) satisfies GatewayPlugin<typeof CampaignsOptionsSchema>;

/** The plugin value {@link campaigns} returns. */
export type CampaignsPlugin = ReturnType<typeof campaigns>;
