import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './fixtures.js';

describe('chat and contact ids: one set of forms on every path', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  let key: Record<string, string>;
  beforeAll(async () => {
    t = await testServer();
    s = await t.createSession('ids');
    key = { 'x-api-key': s.apiKey };
    await t.connectAndOpen(s);
    const control = t.fake.session(s.id);
    await control.emit({
      type: 'chats',
      chats: [{ chatJid: '15550002222@s.whatsapp.net', chatName: 'Bob' }],
    });
    await control.emit({
      type: 'contacts',
      contacts: [{ jid: '15550002222@s.whatsapp.net', lid: '123456789012345@lid', name: 'Bob' }],
    });
  });
  afterAll(() => t?.close());

  const get = (path: string) => t.app.inject({ url: `/v1/sessions/${s.id}${path}`, headers: key });

  it.each([
    '15550002222',
    '%2B1%20(555)%20000-2222',
    '15550002222@s.whatsapp.net',
    '15550002222:3@s.whatsapp.net',
    '15550002222@c.us',
  ])('GET /chats/%s finds the chat stored as 15550002222@s.whatsapp.net', async (id) => {
    const res = await get(`/chats/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ chatJid: '15550002222@s.whatsapp.net', chatName: 'Bob' });
    const contact = await get(`/contacts/${id}`);
    expect(contact.statusCode).toBe(200);
    expect(contact.json()).toMatchObject({ jid: '15550002222@s.whatsapp.net', lid: '123456789012345@lid' });
    const messages = await get(`/messages?chatId=${id}`);
    expect(messages.statusCode).toBe(200);
  });

  it('accepts a LID: a well-formed id that is not stored is a 404, not a 400', async () => {
    const res = await get('/chats/999999999999999@lid');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('CHAT_NOT_FOUND');
  });

  it.each(['__proto__', 'constructor', 'abc', '1234', '15550002222@evil.com', '1@2@s.whatsapp.net'])(
    'refuses %s with a 400 on every path that takes an id, and never reaches WhatsApp',
    async (id) => {
      const calls = t.fake.session(s.id).calls.length;
      for (const [method, path, payload] of [
        ['GET', `/chats/${id}`],
        ['POST', `/chats/${id}/archive`, {}],
        ['POST', `/chats/${id}/read`, {}],
        ['DELETE', `/chats/${id}`],
        ['GET', `/contacts/${id}`],
        ['POST', `/contacts/${id}/block`],
        ['GET', `/contacts/${id}/picture`],
        ['GET', `/messages?chatId=${id}`],
        ['POST', '/presence', { chatId: id, presence: 'composing' }],
      ] as const) {
        const res = await t.app.inject({
          method,
          url: `/v1/sessions/${s.id}${path}`,
          headers: key,
          ...(payload ? { payload } : {}),
        });
        expect(res.statusCode, `${method} ${path}`).toBe(400);
        expect(res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
        expect(['VALIDATION_FAILED', 'INVALID_JID']).toContain(res.json().code);
      }
      expect(t.fake.session(s.id).calls.length).toBe(calls);
    },
  );
});
