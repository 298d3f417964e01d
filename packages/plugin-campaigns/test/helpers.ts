import type { Gateway, GatewayPlugin, PluginContext, RequestAuth } from '@zapgate/core';
import { type FakeConnector, testGateway, waitFor } from '@zapgate/core/testing';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type CampaignsOptions, campaigns, type ResolvedCampaignsOptions } from '../src/index.js';

export const backends = ['postgres', 'pglite'] as const;
export type Backend = (typeof backends)[number];

/** What a route call answers: status and body, errors as their JSON body. */
// biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A gateway with the campaigns plugin on a throwaway store, and its routes by operation id. */
export interface Harness {
  gateway: Gateway;
  store: PostgresStore;
  /** The scriptable connector: open sessions, read what was sent, play receipts and replies. */
  fake: FakeConnector;
  /** Numbers (digits) the fake connector reports as not on WhatsApp; every other one is. */
  offWhatsApp: Set<string>;
  ctx: PluginContext<ResolvedCampaignsOptions>;
  /** Runs a route handler with already-valid input (the host's schema validation is the server's job). */
  call(
    operationId: string,
    input?: { params?: object; query?: object; body?: unknown; auth?: RequestAuth },
  ): Promise<Reply>;
  stop(): Promise<void>;
}

/** Starts a gateway with `campaigns(options)` on Postgres (a fresh database) or in-memory PGlite. */
export async function startHarness(
  backend: Backend,
  options: CampaignsOptions = {},
  /** More plugins, after campaigns (e.g. a `beforeSend` hook that slows sends down). */
  others: GatewayPlugin[] = [],
): Promise<Harness> {
  const database = backend === 'postgres' ? await createTestDatabase({ prefix: 'zapgate_campaigns' }) : null;
  const store = postgresStore(database ? { databaseUrl: database.url } : { dataDir: 'memory://' });
  const offWhatsApp = new Set<string>();
  const t = await testGateway({
    fake: { onWhatsApp: (phone) => !offWhatsApp.has(phone.replace(/\D/g, '')) },
    store,
    plugins: [campaigns({ progressIntervalMs: 0, ...options }), ...others],
    tuning: { events: { pollIntervalMs: 50 } },
  });
  const ctx = t.gateway.routes[0]!.ctx as PluginContext<ResolvedCampaignsOptions>;
  return {
    gateway: t.gateway,
    store,
    fake: t.fake,
    offWhatsApp,
    ctx,
    call: t.call,
    async stop() {
      await t.stop();
      await database?.drop();
    },
  };
}

/** Creates a session, connects it and pairs it (fake phone) as `phoneNumber`; returns its id. */
export async function connectedSession(h: Harness, name: string, phoneNumber: string): Promise<string> {
  const id = await createSession(h, name);
  await h.gateway.sessions.connect(id);
  await waitFor(() => h.fake.session(id).connection);
  await h.fake
    .session(id)
    .open({ phoneNumber, deviceJid: `${phoneNumber}:1@s.whatsapp.net`, pushName: name });
  await waitFor(async () => (await h.gateway.sessions.get(id)).status === 'connected');
  return id;
}

export { waitFor };

/** Creates a session (not connected) and returns its id. */
export async function createSession(h: Harness, name: string): Promise<string> {
  return (await h.gateway.sessions.create({ name })).id;
}
