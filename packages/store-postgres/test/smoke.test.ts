import { defaultSessionSettings } from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, storeFactory } from './helpers.js';

describe.each(backends)('smoke on %s', (backend) => {
  const stores = storeFactory(backend);
  beforeAll(() => stores.setup());
  afterAll(() => stores.teardown());

  it('creates and reads a session', async () => {
    const store = stores.create();
    await store.init();
    const s = await store.sessions.create({ name: 'a', settings: defaultSessionSettings });
    expect(await store.sessions.get(s.id)).toEqual(s);
    const m = await store.messages.insert({
      sessionId: s.id,
      chatId: 'x@s.whatsapp.net',
      waid: 'W1',
      msgType: 'text',
      content: { text: 'hi' },
      senderJid: null,
      senderName: null,
      isFromMe: false,
      quotedMsgId: null,
      timestamp: new Date().toISOString(),
    });
    expect(m.inserted).toBe(true);
    const again = await store.messages.insert({ ...m.message, id: undefined });
    expect(again.inserted).toBe(false);
    const ev = await store.events.append({
      id: '01J0000000000000000000000A',
      type: 'chat.deleted',
      sessionId: s.id,
      occurredAt: new Date().toISOString(),
      data: { chatJid: 'x' },
    });
    expect(ev.seq).toBe(1);
    expect(await store.events.head()).toBe(1);
  });
});
