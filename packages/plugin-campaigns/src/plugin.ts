import { definePlugin, type GatewayPlugin } from '@zapgate/core';
import { campaignsEventSchemas } from './events.js';
import { refuseSuppressed } from './hooks/before-send.js';
import { campaignsMigrations } from './migrations/index.js';
import { type CampaignsOptions, CampaignsOptionsSchema } from './options.js';
import { campaignRoutes } from './routes/campaigns.js';
import { recipientRoutes } from './routes/recipients.js';
import { suppressionRoutes } from './routes/suppressions.js';
import type { OnSending } from './service/lifecycle.js';
import { onMessageReceived, onMessageSent, onMessageStatus, onSessionStatus } from './tracking/handlers.js';
import { campaignsVersion } from './version.js';

/** Until the sender runs on core's durable jobs, starting only records the status. */
const onSending: OnSending = async () => {};

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
    migrations: campaignsMigrations,
    eventSchemas: campaignsEventSchemas,
    events: {
      'message.sent': onMessageSent,
      'message.status': onMessageStatus,
      'message.received': onMessageReceived,
      'session.status': onSessionStatus,
    },
    hooks: { beforeSend: refuseSuppressed },
    routes: [...campaignRoutes(onSending), ...recipientRoutes(), ...suppressionRoutes()],
  }) satisfies GatewayPlugin<typeof CampaignsOptionsSchema>;

/** The plugin value {@link campaigns} returns. */
export type CampaignsPlugin = ReturnType<typeof campaigns>;
