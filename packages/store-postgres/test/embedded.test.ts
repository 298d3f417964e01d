import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSessionSettings } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrations, postgresStore } from '../src/index.js';

describe('embedded PGlite default', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'zapgate-pglite-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('persists sessions, messages and auth under <dataDir>/pglite across restarts', async () => {
    const first = postgresStore({ dataDir });
    expect(first.kind).toBe('pglite');
    await first.init();
    const session = await first.sessions.create({ name: 'phone', settings: defaultSessionSettings });
    const { message } = await first.messages.insert({
      sessionId: session.id,
      chatId: '15550001111@s.whatsapp.net',
      waid: 'ABC123',
      msgType: 'text',
      content: { text: 'still here after a restart' },
      senderJid: '15550001111@s.whatsapp.net',
      senderName: 'Ana',
      isFromMe: false,
      quotedMsgId: null,
      timestamp: '2025-01-02T03:04:05.678Z',
    });
    await (await first.authState(session.id)).saveCreds();
    await first.close();

    const second = postgresStore({ dataDir });
    await second.init();
    try {
      expect(await second.sessions.get(session.id)).toEqual(session);
      expect(await second.messages.get(session.id, message.id)).toEqual(message);
      expect(await second.auth.getCreds(session.id)).not.toBeNull();
      const status = await second.migrationStatus({ core: coreMigrations });
      expect(status.length).toBe(coreMigrations.length);
      expect(status.every((s) => s.appliedAt !== null)).toBe(true);
    } finally {
      await second.close();
    }
    // Two on-disk PGlite boots with every migration: seconds alone, over a minute on a loaded 2-core machine.
  }, 180_000);

  it('rejects invalid options listing every problem', () => {
    let error: unknown;
    try {
      postgresStore({ databaseUrl: 'mysql://x', pool: { max: 0 }, schema: 'Bad-Name' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'STORE_POSTGRES_INVALID_OPTIONS' });
    expect((error as { details: string[] }).details.map((d) => d.split(':')[0])).toEqual([
      '/databaseUrl',
      '/pool/max',
      '/schema',
    ]);
  });
});
