import path from 'node:path';
import { localMediaStore } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer, waitFor } from './fixtures.js';

describe('messages', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  let key: Record<string, string>;
  beforeAll(async () => {
    t = await testServer();
    s = await t.createSession('messages');
    key = { 'x-api-key': s.apiKey };
    await t.connectAndOpen(s);
  });
  afterAll(() => t?.close());

  const send = (payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/messages`,
      headers: { ...key, ...headers },
      payload,
    });

  it('sends a text: 202 pending, then sent', async () => {
    const res = await send({ type: 'text', to: '+15550002222', text: 'hello' });
    expect(res.statusCode).toBe(202);
    const pending = res.json();
    expect(pending).toMatchObject({
      sessionId: s.id,
      chatId: '15550002222@s.whatsapp.net',
      msgType: 'text',
      content: { text: 'hello' },
      isFromMe: true,
      status: 'pending',
    });
    const sent = await waitFor(async () => {
      const got = (
        await t.app.inject({ url: `/v1/sessions/${s.id}/messages/${pending.id}`, headers: key })
      ).json();
      return got.status === 'sent' ? got : null;
    });
    expect(sent.waid).toBe(pending.waid);
    expect(t.fake.session(s.id).sends.filter((x) => x.result?.waid === pending.waid)).toHaveLength(1);
  });

  it('is idempotent with Idempotency-Key: same message, sent once', async () => {
    const headers = { 'idempotency-key': 'order-42' };
    const first = await send({ type: 'text', to: '15550003333', text: 'once' }, headers);
    const second = await send({ type: 'text', to: '15550003333', text: 'once' }, headers);
    expect(first.statusCode).toBe(202);
    expect(second.statusCode).toBe(202);
    expect(second.json().id).toBe(first.json().id);
    await waitFor(async () => (await t.store.messages.get(s.id, first.json().id))?.status === 'sent');
    expect(
      t.fake.session(s.id).sends.filter((x) => x.content.type === 'text' && x.content.text === 'once'),
    ).toHaveLength(1);
  });

  it('sends media uploaded as multipart (file + JSON body)', async () => {
    const boundary = '----zapgate';
    const payload = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n` +
          `${JSON.stringify({ type: 'document', to: '15550004444', caption: 'Invoice' })}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="invoice.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
      ),
      Buffer.from('%PDF-1.4 fake'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/messages`,
      headers: { ...key, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({
      msgType: 'document',
      mediaInfo: { mimeType: 'application/pdf', size: 13, fileName: 'invoice.pdf' },
    });
    const sent = await waitFor(() => t.fake.session(s.id).sends.find((x) => x.content.type === 'document'));
    expect('data' in sent.content && sent.content.data.toString()).toBe('%PDF-1.4 fake');
  });

  it('lists by chat with cursor pagination and filters', async () => {
    for (let i = 0; i < 5; i++) await send({ type: 'text', to: '15550005555', text: `page ${i}` });
    const chatId = '15550005555@s.whatsapp.net';
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `chatId=${encodeURIComponent(chatId)}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.app.inject({ url: `/v1/sessions/${s.id}/messages?${query}`, headers: key });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((m: { content: { text: string } }) => m.content.text));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['page 4', 'page 3', 'page 2', 'page 1', 'page 0']);
    const inbound = await t.app.inject({ url: `/v1/sessions/${s.id}/messages?fromMe=false`, headers: key });
    expect(inbound.json().items).toEqual([]);
    const bad = await t.app.inject({ url: `/v1/sessions/${s.id}/messages?limit=0&type=nope`, headers: key });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toHaveLength(2);
  });

  it('edits and revokes a sent text', async () => {
    const sent = (await send({ type: 'text', to: '15550006666', text: 'typo' })).json();
    const edited = await t.app.inject({
      method: 'PATCH',
      url: `/v1/sessions/${s.id}/messages/${sent.id}`,
      headers: key,
      payload: { text: 'fixed' },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().content.text).toBe('fixed');
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/v1/sessions/${s.id}/messages/${sent.id}`,
      headers: key,
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().metadata.deletedAt).toEqual(expect.any(String));
  });

  it('streams stored media with its content type; 404 MEDIA_UNAVAILABLE otherwise', async () => {
    const media = localMediaStore({ dir: path.join(t.dataDir, 'media') });
    const stored = await media.put(`${s.id}/photo.jpg`, Buffer.from('jpeg-bytes'));
    const { message } = await t.store.messages.insert({
      sessionId: s.id,
      chatId: '15550007777@s.whatsapp.net',
      waid: 'INBOUND1',
      msgType: 'image',
      content: { caption: 'pic' },
      mediaInfo: { mimeType: 'image/jpeg', size: stored.size, path: stored.path, fileName: 'photo.jpg' },
      senderJid: '15550007777@s.whatsapp.net',
      senderName: 'Pat',
      isFromMe: false,
      quotedMsgId: null,
      timestamp: new Date().toISOString(),
    });
    const res = await t.app.inject({
      url: `/v1/sessions/${s.id}/messages/${message.id}/media`,
      headers: key,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.body).toBe('jpeg-bytes');
    const text = (await send({ type: 'text', to: '15550007777', text: 'no media' })).json();
    const none = await t.app.inject({ url: `/v1/sessions/${s.id}/messages/${text.id}/media`, headers: key });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('MEDIA_UNAVAILABLE');
  });

  it('refuses sends on a session that is not connected', async () => {
    const idle = await t.createSession('idle');
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${idle.id}/messages`,
      headers: { 'x-api-key': idle.apiKey },
      payload: { type: 'text', to: '15550002222', text: 'hi' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('SESSION_NOT_CONNECTED');
  });
});

describe('send backpressure', () => {
  let t: TestServer;
  afterAll(() => t?.close());

  it('answers 429 SEND_QUEUE_FULL with Retry-After when the session has maxQueued sends waiting', async () => {
    t = await testServer({ tuning: { send: { maxQueued: 2 } } });
    const s = await t.createSession('backpressure');
    await t.connectAndOpen(s);
    // the phone's network stalls: sends wait
    const connection = t.fake.session(s.id).connection as unknown as {
      send: (...args: unknown[]) => Promise<unknown>;
    };
    const send = connection.send.bind(connection);
    let release!: () => void;
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    connection.send = async (...args) => {
      await stalled;
      return send(...args);
    };
    const post = (n: number) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/sessions/${s.id}/messages`,
        headers: { 'x-api-key': s.apiKey },
        payload: { type: 'text', to: '+15550002222', text: `n${n}` },
      });
    expect((await post(1)).statusCode).toBe(202);
    expect((await post(2)).statusCode).toBe(202);
    const refused = await post(3);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({
      statusCode: 429,
      code: 'SEND_QUEUE_FULL',
      error: 'Too Many Requests',
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const stored = await t.app.inject({
      url: `/v1/sessions/${s.id}/messages`,
      headers: { 'x-api-key': s.apiKey },
    });
    expect(stored.json().items).toHaveLength(2);
    release();
    await waitFor(() => t.fake.session(s.id).sends.length === 2);
    await waitFor(async () => (await post(4)).statusCode === 202);
  });
});
