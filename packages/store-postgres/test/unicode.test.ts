import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeFactory } from './helpers.js';

// Postgres refuses `\ud800` in jsonb ("invalid input syntax for type json"): a malformed
// inbound message, a chat name or a plugin's data with a lone surrogate was a failed store.
describe.each(backends)('text that is not valid Unicode on %s', (backend) => {
  const stores = storeFactory(backend);
  beforeAll(() => stores.setup(), 120_000);
  afterAll(() => stores.teardown());

  it('stores lone surrogates in every json column as U+FFFD instead of failing', async () => {
    const store = stores.create({ schema: 'unicode' });
    await store.init();
    const session = await store.sessions.create({ name: 'u', settings: {} as never, apiKeyHash: null });
    const { message } = await store.messages.insert({
      sessionId: session.id,
      chatId: '15550001111@s.whatsapp.net',
      waid: 'WA-UNICODE',
      msgType: 'text',
      content: { text: 'hi \ud800 there' },
      senderJid: '15550001111@s.whatsapp.net',
      senderName: 'Ana',
      isFromMe: false,
      quotedMsgId: null,
      timestamp: '2024-05-01T10:00:00.000Z',
      metadata: { [`x\udc00`]: 'y' },
    } as never);
    const stored = await store.messages.get(session.id, message.id);
    expect(stored?.content).toEqual({ text: 'hi \ufffd there' });
    expect(stored?.metadata).toMatchObject({ 'x\ufffd': 'y' });
    const chat = await store.chats.upsert(session.id, {
      chatJid: '120363000000000001@g.us',
      metadata: { subject: 'group \udbff' },
    } as never);
    expect(chat.metadata).toMatchObject({ subject: 'group \ufffd' });
    const event = {
      id: randomUUID(),
      type: 'presence.updated',
      sessionId: session.id,
      occurredAt: new Date().toISOString(),
    };
    await store.events.append({
      ...event,
      data: { chatJid: 'a\ud800', jid: 'a', presence: 'available', lastSeen: null },
    } as never);
    const [read] = await store.events.list({ afterSeq: 0, limit: 10, types: ['presence.updated'] });
    expect(read?.data).toMatchObject({ chatJid: 'a\ufffd' });
  });
});
