import {
  createGateway,
  type Gateway,
  GatewayError,
  type PluginContext,
  type RequestAuth,
} from '@zapgate/core';
import { fakeConnector } from '@zapgate/core/testing';
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
  ctx: PluginContext<ResolvedCampaignsOptions>;
  /** Runs a route handler with already-valid input (the host's schema validation is the server's job). */
  call(
    operationId: string,
    input?: { params?: object; query?: object; body?: unknown; auth?: RequestAuth },
  ): Promise<Reply>;
  stop(): Promise<void>;
}

/** Starts a gateway with `campaigns(options)` on Postgres (a fresh database) or in-memory PGlite. */
export async function startHarness(backend: Backend, options: CampaignsOptions = {}): Promise<Harness> {
  const database = backend === 'postgres' ? await createTestDatabase({ prefix: 'zapgate_campaigns' }) : null;
  const store = postgresStore(database ? { databaseUrl: database.url } : { dataDir: 'memory://' });
  const gateway = createGateway({
    store,
    connector: fakeConnector(),
    plugins: [campaigns({ progressIntervalMs: 0, ...options })],
    tuning: { events: { pollIntervalMs: 50 } },
  });
  await gateway.start();
  const ctx = gateway.routes[0]!.ctx as PluginContext<ResolvedCampaignsOptions>;
  return {
    gateway,
    store,
    ctx,
    async call(operationId, input = {}) {
      const mounted = gateway.routes.find(({ route }) => route.operationId === operationId);
      if (!mounted) throw new Error(`no route ${operationId}`);
      try {
        const reply = await mounted.route.handler(
          {
            params: input.params ?? {},
            query: input.query ?? {},
            body: input.body,
            headers: {},
            auth: input.auth ?? { scope: 'admin' },
          },
          mounted.ctx,
        );
        return { status: reply.status ?? 200, body: reply.body };
      } catch (error) {
        if (error instanceof GatewayError) return { status: error.statusCode, body: error.toJSON() };
        throw error;
      }
    },
    async stop() {
      await gateway.stop();
      await store.close();
      await database?.drop();
    },
  };
}

/** Creates a session (not connected) and returns its id. */
export async function createSession(h: Harness, name: string): Promise<string> {
  return (await h.gateway.sessions.create({ name })).id;
}
