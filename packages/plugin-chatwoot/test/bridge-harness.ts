import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeChatwoot, startFakeChatwoot } from '@zapgate/chatwoot-sim';
import {
  createGateway,
  type Gateway,
  type InboundMessage,
  localMediaStore,
  type Message,
  silentLogger,
} from '@zapgate/core';
import { type FakeConnector, type FakeSession, fakeConnector } from '@zapgate/core/testing';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import type { SessionBridge } from '../src/bridge/session-bridge.js';
import { whatsappSide } from '../src/bridge/whatsapp-side.js';
import { chatwootClient } from '../src/client/client.js';
import { chatwootMigrations } from '../src/migrations/index.js';
import { type ChatwootSettings, resolveSettings } from '../src/settings.js';

export const backends = ['postgres', 'pglite'] as const;

/**
 * One session's bridge on a real store (Postgres or PGlite) and a gateway with the fake
 * connector, talking to the spec-validating fake Chatwoot — the bridge's logic without the
 * plugin wiring.
 */
export interface BridgeHarness {
  gateway: Gateway;
  store: PostgresStore;
  chatwoot: FakeChatwoot;
  fake: FakeSession;
  bridge: SessionBridge;
  sessionId: string;
  /** Changes settings of the bridge. */
  configure(settings: Partial<ChatwootSettings>): void;
  /** Delivers an inbound message and returns it as stored. */
  receive(message: Partial<InboundMessage> & { waid: string; chatId: string }): Promise<Message>;
  stop(): Promise<void>;
}

export async function startBridgeHarness(backend: (typeof backends)[number]): Promise<BridgeHarness> {
  const database = backend === 'postgres' ? await createTestDatabase({ prefix: 'zapgate_chatwoot' }) : null;
  const mediaDir = await mkdtemp(join(tmpdir(), 'zapgate-chatwoot-'));
  const store = postgresStore(database ? { databaseUrl: database.url } : { dataDir: 'memory://' });
  const connector: FakeConnector = fakeConnector({ autoOpen: true });
  const mediaStore = localMediaStore({ dir: mediaDir });
  const gateway = createGateway({
    store,
    connector,
    mediaStore,
    config: { allowPrivateUrls: ['127.0.0.1'] },
    logger: silentLogger,
  });
  await gateway.start();
  await store.migrate('chatwoot', chatwootMigrations);
  const session = await gateway.sessions.create({ name: 'main' });
  await gateway.sessions.connect(session.id);
  const fake = connector.session(session.id);
  for (let i = 0; (await gateway.sessions.get(session.id)).status !== 'connected'; i += 1) {
    if (i > 200) throw new Error('the fake session did not connect');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const chatwoot = await startFakeChatwoot();
  const inbox = chatwoot.createInbox('WhatsApp');
  let settings = resolveSettings({ url: chatwoot.url, accountId: chatwoot.accountId, token: chatwoot.token });
  const bridge: SessionBridge = {
    sessionId: session.id,
    get settings() {
      return settings;
    },
    inboxId: inbox.id,
    client: chatwootClient({ url: chatwoot.url, accountId: chatwoot.accountId, token: chatwoot.token }),
    sql: store.sql,
    logger: silentLogger,
    whatsapp: whatsappSide({
      sessionId: session.id,
      gateway,
      store,
      outgoing: gateway.outgoing,
      maxAttachmentBytes: 1024 * 1024,
      timeoutMs: 5000,
      async readMedia(message) {
        const path = message.mediaInfo?.path;
        const stream = path ? await mediaStore.get(path) : null;
        if (!stream) return null;
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return { data: Buffer.concat(chunks), mimeType: message.mediaInfo!.mimeType };
      },
    }),
  };

  return {
    gateway,
    store,
    chatwoot,
    fake,
    bridge,
    sessionId: session.id,
    configure(change) {
      settings = { ...settings, ...change };
    },
    async receive(message) {
      await fake.inbound({ msgType: 'text', content: { text: 'hi' }, senderJid: message.chatId, ...message });
      const { items } = await gateway.messages.list(session.id, { chatId: message.chatId, limit: 100 });
      const stored = items.find((m) => m.waid === message.waid);
      if (!stored) throw new Error(`message ${message.waid} was not stored`);
      return stored;
    },
    async stop() {
      await gateway.stop();
      await store.close();
      await chatwoot.close();
      await database?.drop();
      await rm(mediaDir, { recursive: true, force: true });
    },
  };
}
