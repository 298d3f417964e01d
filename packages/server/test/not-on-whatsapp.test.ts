import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, testServer } from './fixtures.js';

// A text to a number that is not on WhatsApp was accepted (202) and stayed `sent` forever.
describe('sends to numbers that are not on WhatsApp', () => {
  let t: TestServer;
  let s: { id: string; apiKey: string };
  beforeAll(async () => {
    t = await testServer({ fake: { onWhatsApp: (n) => !n.startsWith('1555000999') } });
    s = await t.createSession('not-on-wa');
    await t.connectAndOpen(s);
  }, 120_000);
  afterAll(() => t?.close());

  const send = (to: string, extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/sessions/${s.id}/messages`,
      headers: { 'x-api-key': s.apiKey },
      payload: { type: 'text', to, text: 'hi', ...extra },
    });
  const checks = () => t.fake.session(s.id).callsOf('checkNumbers').length;

  it('answers 404 NOT_ON_WHATSAPP before the first send to a new chat, storing and sending nothing', async () => {
    const before = checks();
    const res = await send('15550009991');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'NOT_ON_WHATSAPP',
      error: 'Not Found',
      message: '15550009991 is not on WhatsApp',
    });
    expect(checks()).toBe(before + 1);
    expect(t.fake.session(s.id).sends).toHaveLength(0);
    const stored = await t.app.inject({
      url: `/v1/sessions/${s.id}/messages?chatId=15550009991`,
      headers: { 'x-api-key': s.apiKey },
    });
    expect(stored.json().items).toEqual([]);
    // the answer is cached: asking again does not ask WhatsApp again
    expect((await send('+1 555 000 9991')).statusCode).toBe(404);
    expect(checks()).toBe(before + 1);
  });

  it('checks a new number once, then sends without asking again; `checkNumber` forces or skips the check', async () => {
    const before = checks();
    expect((await send('15550002222')).statusCode).toBe(202);
    expect((await send('15550002222@s.whatsapp.net')).statusCode).toBe(202);
    expect(checks()).toBe(before + 1);
    expect((await send('15550002222', { checkNumber: true })).statusCode).toBe(202);
    expect(checks()).toBe(before + 2);
    // false: the caller takes the risk (no check, accepted)
    expect((await send('15550009992', { checkNumber: false })).statusCode).toBe(202);
    expect(checks()).toBe(before + 2);
  });

  it('trusts a chat the session already has, and never checks groups', async () => {
    await t.fake.session(s.id).emit({ type: 'chats', chats: [{ chatJid: '15550003333@s.whatsapp.net' }] });
    const before = checks();
    expect((await send('15550003333')).statusCode).toBe(202);
    expect((await send('120363000000000001@g.us')).statusCode).toBe(202);
    expect(checks()).toBe(before);
  });
});
