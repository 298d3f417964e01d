import { defaultSessionSettings, SecretBox, type SqlClient } from '@zapgate/core';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatwootMigrations } from '../src/migrations/index.js';
import { bridgesRepo } from '../src/repo/bridges.js';
import { contactsRepo } from '../src/repo/contacts.js';
import { conversationsRepo } from '../src/repo/conversations.js';
import { deliveriesRepo } from '../src/repo/deliveries.js';
import { type ImportProgress, importsRepo } from '../src/repo/imports.js';
import { messagesRepo } from '../src/repo/messages.js';

describe.each(['postgres', 'pglite'] as const)('the bridge tables on %s', (backend) => {
  let store: PostgresStore;
  let sql: SqlClient;
  let drop: (() => Promise<void>) | undefined;
  let sessionId: string;

  beforeAll(async () => {
    const database = backend === 'postgres' ? await createTestDatabase({ prefix: 'zapgate_chatwoot' }) : null;
    drop = database?.drop;
    store = postgresStore(database ? { databaseUrl: database.url } : { dataDir: 'memory://' });
    await store.init();
    await store.migrate('chatwoot', chatwootMigrations);
    sql = store.sql;
    sessionId = (await store.sessions.create({ name: 'main', settings: defaultSessionSettings })).id;
  });
  afterAll(async () => {
    await store.close();
    await drop?.();
  });

  it('keeps one conversation per chat, replaced (not duplicated) when made anew', async () => {
    const link = {
      sessionId,
      chatJid: '1@s.whatsapp.net',
      inboxId: 3,
      contactId: 7,
      sourceId: 's',
      conversationId: 11,
      status: 'open',
    };
    await conversationsRepo.save(sql, link);
    await conversationsRepo.save(sql, { ...link, conversationId: 12 });
    expect((await conversationsRepo.get(sql, sessionId, '1@s.whatsapp.net'))?.conversationId).toBe(12);
    await conversationsRepo.setStatus(sql, sessionId, 12, 'resolved');
    expect((await conversationsRepo.byConversation(sql, sessionId, 12))?.status).toBe('resolved');
    const count = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM "chatwootConversations"`);
    expect(Number(count[0]?.n)).toBe(1);
  });

  it('refuses a second row for the same chat at the database level', async () => {
    const insert = `INSERT INTO "chatwootConversations" ("sessionId", "chatJid", "inboxId", "contactId", "sourceId", "conversationId") VALUES (?, '2@s.whatsapp.net', 1, 1, 's', 1)`;
    await sql.query(insert, [sessionId]);
    await expect(sql.query(insert, [sessionId])).rejects.toThrow(/duplicate key|unique/i);
  });

  it('finds a contact by any of its JIDs (LID and phone are one contact)', async () => {
    await contactsRepo.link(sql, sessionId, ['5511987654321@s.whatsapp.net', '12345@lid'], {
      contactId: 9,
      sourceId: 'src-9',
      inboxId: 3,
    });
    expect(await contactsRepo.find(sql, sessionId, 3, ['12345@lid'])).toEqual({
      jid: '12345@lid',
      contactId: 9,
      sourceId: 'src-9',
      inboxId: 3,
    });
    expect(await contactsRepo.find(sql, sessionId, 4, ['12345@lid'])).toBeNull();
  });

  it('bridges a WhatsApp message once', async () => {
    const link = {
      chatJid: '1@s.whatsapp.net',
      waid: 'W1',
      chatwootMessageId: 100,
      conversationId: 12,
      direction: 'to_whatsapp' as const,
      messageId: '00000000-0000-4000-8000-00000000000a',
    };
    expect(await messagesRepo.save(sql, sessionId, link)).toBe(true);
    expect(await messagesRepo.save(sql, sessionId, { ...link, chatwootMessageId: 101 })).toBe(false);
    expect(await messagesRepo.get(sql, sessionId, '1@s.whatsapp.net', 'W1')).toEqual(link);
    expect(await messagesRepo.byChatwootId(sql, sessionId, 100)).toEqual([link]);
  });

  it('claims a callback delivery id once', async () => {
    expect(await deliveriesRepo.claim(sql, sessionId, 'd-1')).toBe(true);
    expect(await deliveriesRepo.claim(sql, sessionId, 'd-1')).toBe(false);
    expect(await deliveriesRepo.prune(sql, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await deliveriesRepo.claim(sql, sessionId, 'd-1')).toBe(true);
  });

  it('records the bridge state', async () => {
    const box = new SecretBox(undefined);
    expect(await bridgesRepo.get(sql, box, sessionId)).toBeNull();
    await bridgesRepo.update(sql, box, sessionId, { inboxId: 3 });
    const stopped = await bridgesRepo.update(sql, box, sessionId, {
      status: 'stopped',
      code: 'CHATWOOT_UNAUTHORIZED',
      reason: 'token refused',
    });
    expect(stopped).toMatchObject({ status: 'stopped', code: 'CHATWOOT_UNAUTHORIZED', inboxId: 3 });
  });

  it('seals the callback token and the inbox secret at rest when the host has an encryption key', async () => {
    const box = new SecretBox('a-test-encryption-key-of-32-chars!!', { purpose: 'plugin-chatwoot:bridges' });
    const saved = await bridgesRepo.update(sql, box, sessionId, {
      callbackToken: 'callback-token-1',
      inboxSecret: 'inbox-secret-1',
    });
    expect(saved).toMatchObject({ callbackToken: 'callback-token-1', inboxSecret: 'inbox-secret-1' });
    const [row] = await sql.query(
      'SELECT "callbackToken", "inboxSecret" FROM "chatwootBridges" WHERE "sessionId" = ?',
      [sessionId],
    );
    expect(row!.callbackToken).toMatch(/^enc:v1:/);
    expect(row!.inboxSecret).toMatch(/^enc:v1:/);
    expect(JSON.stringify(row)).not.toContain('callback-token-1');
    expect(await bridgesRepo.get(sql, box, sessionId)).toMatchObject({
      callbackToken: 'callback-token-1',
      inboxSecret: 'inbox-secret-1',
    });
    // under another key the secrets do not open: an error, never a wrong token
    await expect(
      bridgesRepo.get(sql, new SecretBox('another-encryption-key-of-32-chars!'), sessionId),
    ).rejects.toMatchObject({
      code: 'SECRET_UNREADABLE',
    });
  });

  it('keeps one history import per session: one run at a time, counts added atomically, a replaced run ignored', async () => {
    const progress = (runId: string): ImportProgress => ({
      runId,
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-12-01T00:00:00.000Z',
      contacts: 0,
      messages: 0,
      skipped: 0,
      cursor: null,
      chats: 0,
      chatsDone: 0,
      listed: false,
    });
    expect(await importsRepo.get(sql, sessionId)).toBeNull();
    expect(await importsRepo.start(sql, sessionId, progress('run-1'))).toMatchObject({
      status: 'running',
      phase: 'contacts',
    });
    expect(await importsRepo.start(sql, sessionId, progress('run-2'))).toBeNull(); // one at a time
    await importsRepo.update(sql, sessionId, 'run-1', { phase: 'messages', progress: { chats: 3 } });
    await Promise.all([
      importsRepo.addChat(sql, sessionId, 'run-1', { messages: 2, skipped: 1 }),
      importsRepo.addChat(sql, sessionId, 'run-1', { messages: 5, skipped: 0 }),
      importsRepo.addChat(sql, sessionId, 'run-1', { messages: 0, skipped: 4 }),
    ]);
    const counted = await importsRepo.get(sql, sessionId);
    expect(counted).toMatchObject({ phase: 'messages', status: 'running' });
    expect(counted!.progress).toMatchObject({ chats: 3, chatsDone: 3, messages: 7, skipped: 5 });
    expect(await importsRepo.finish(sql, sessionId, 'run-1', null)).toMatchObject({
      status: 'completed',
      phase: 'done',
    });
    expect(await importsRepo.finish(sql, sessionId, 'run-1', 'late')).toBeNull(); // ended already
    const second = await importsRepo.start(sql, sessionId, progress('run-2'));
    expect(second?.progress).toMatchObject({ runId: 'run-2', messages: 0, chatsDone: 0 });
    expect(await importsRepo.addChat(sql, sessionId, 'run-1', { messages: 9, skipped: 0 })).toBeNull();
    expect(await importsRepo.update(sql, sessionId, 'run-1', { progress: { listed: true } })).toBeNull();
    expect((await importsRepo.get(sql, sessionId))!.progress.messages).toBe(0);
  });
});
