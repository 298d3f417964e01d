import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GatewayOptions, GatewayPlugin, HostConfig, Store } from '@zapgate/core';
import { localMediaStore } from '@zapgate/core';
import { type FakeConnector, type FakeConnectorOptions, fakeConnector, waitFor } from '@zapgate/core/testing';
import { postgresStore } from '@zapgate/store-postgres';
import { type BuildServerOptions, buildServer, type ZapgateServer } from '../src/index.js';

export const adminKey = 'test-admin-key-0123456789abcdef';
export const admin = { authorization: `Bearer ${adminKey}` };

/** A server on an embedded in-memory PGlite store with core's fake connector. */
export interface TestServer {
  app: ZapgateServer;
  store: Store;
  fake: FakeConnector;
  dataDir: string;
  close(): Promise<void>;
  /** Creates a session through the API; returns it with its key. */
  createSession(name: string): Promise<{ id: string; apiKey: string }>;
  /** Connects a session through the API and pairs it as `phoneNumber` (the fake phone scans). */
  connectAndOpen(session: { id: string; apiKey: string }, phoneNumber?: string): Promise<void>;
}

export async function testServer(
  options: {
    plugins?: GatewayPlugin[];
    store?: Store;
    dashboard?: BuildServerOptions['dashboard'];
    config?: HostConfig;
    /** Options of core's fake connector. @default {} */
    fake?: FakeConnectorOptions;
    /** Gateway tuning merged over the test defaults. @default {} */
    tuning?: GatewayOptions['tuning'];
  } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-server-'));
  const store = options.store ?? postgresStore({ dataDir: 'memory://' });
  const fake = fakeConnector(options.fake);
  const app = buildServer({
    adminKey,
    store,
    connector: fake,
    plugins: options.plugins ?? [],
    mediaStore: localMediaStore({ dir: path.join(dataDir, 'media') }),
    logger: false,
    tuning: { events: { pollIntervalMs: 50 }, boot: { staggerMs: 0 }, ...options.tuning },
    ...(options.dashboard === undefined ? {} : { dashboard: options.dashboard }),
    ...(options.config ? { config: options.config } : {}),
  });
  await app.ready();
  return {
    app,
    store,
    fake,
    dataDir,
    async close() {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    },
    async createSession(name) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        headers: admin,
        payload: { name },
      });
      if (res.statusCode !== 201) throw new Error(`createSession: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async connectAndOpen(session, phoneNumber = '15550001111') {
      const res = await app.inject({
        method: 'POST',
        url: `/v1/sessions/${session.id}/connect`,
        headers: { 'x-api-key': session.apiKey },
      });
      if (res.statusCode !== 200) throw new Error(`connect: ${res.statusCode} ${res.body}`);
      const control = fake.session(session.id);
      await waitFor(() => control.connection);
      await control.open({ phoneNumber, deviceJid: `${phoneNumber}:1@s.whatsapp.net`, pushName: 'Test' });
    },
  };
}

export { waitFor };
