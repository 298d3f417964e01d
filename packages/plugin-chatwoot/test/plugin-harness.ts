import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeChatwoot, startFakeChatwoot } from '@zapgate/chatwoot-sim';
import { createGateway, type Gateway, localMediaStore, silentLogger } from '@zapgate/core';
import { type FakeConnector, type FakeSession, fakeConnector, waitFor } from '@zapgate/core/testing';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type ChatwootOptions, chatwoot } from '../src/index.js';

export { waitFor };

/**
 * Gateways with the `chatwoot()` plugin on one Postgres database (several "nodes"), a fake
 * WhatsApp connector on the first, and the spec-validating fake Chatwoot over HTTP.
 */
export interface PluginHarness {
  gateways: Gateway[];
  store: PostgresStore;
  chatwoot: FakeChatwoot;
  fake: FakeSession;
  sessionId: string;
  stop(): Promise<void>;
}

const tuning = {
  events: { pollIntervalMs: 100, retryMinMs: 50, retryMaxMs: 500 },
} as const;

export async function startPluginHarness(
  options: { nodes?: number; plugin?: ChatwootOptions } = {},
): Promise<PluginHarness> {
  const database = await createTestDatabase({ prefix: 'zapgate_chatwoot' });
  const mediaDir = await mkdtemp(join(tmpdir(), 'zapgate-chatwoot-'));
  const fakeChatwoot = await startFakeChatwoot();
  const stores: PostgresStore[] = [];
  const gateways: Gateway[] = [];
  const connector: FakeConnector = fakeConnector({ autoOpen: true });
  for (let node = 0; node < (options.nodes ?? 1); node += 1) {
    const store = postgresStore({ databaseUrl: database.url });
    stores.push(store);
    const gateway = createGateway({
      store,
      // only the first node ever connects the session (the others start before it exists)
      connector: node === 0 ? connector : fakeConnector(),
      mediaStore: localMediaStore({ dir: mediaDir }),
      config: { allowPrivateUrls: ['127.0.0.1'], publicUrl: 'http://127.0.0.1:9' },
      logger: silentLogger,
      tuning,
      plugins: [chatwoot({ maxRetryDelayMs: 2000, timeoutMs: 5000, ...options.plugin })],
    });
    await gateway.start();
    gateways.push(gateway);
  }
  const gateway = gateways[0]!;
  const session = await gateway.sessions.create({ name: 'main' });
  await gateway.sessions.connect(session.id);
  await waitFor(
    async () => (await gateway.sessions.get(session.id)).status === 'connected',
    60_000,
    'connected',
  );
  return {
    gateways,
    store: stores[0]!,
    chatwoot: fakeChatwoot,
    fake: connector.session(session.id),
    sessionId: session.id,
    async stop() {
      for (const g of gateways) await g.stop();
      for (const s of stores) await s.close();
      await fakeChatwoot.close();
      await database.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}
