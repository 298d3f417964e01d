import { testGateway, waitFor } from '@zapgate/core/testing';
import { expect, it } from 'vitest';
import { autoReply } from './plugin.js';

it('answers a keyword, ignores other text, and announces each reply', async () => {
  const t = await testGateway({ plugins: [autoReply({ replies: { ping: 'pong' } })] });
  try {
    const { sessionId, phone } = await t.connectSession();
    await t.receive(sessionId, { content: { text: 'constructor' } });
    await t.receive(sessionId, { content: { text: ' PING ' } });
    // handlers run in log order per session: once ping is answered, constructor was handled
    const replied = await t.waitForEvent('autoreply.replied');
    expect(replied.data).toEqual({ chatId: '15550001111@s.whatsapp.net', keyword: 'ping' });
    await waitFor(() => phone.sends.length === 1);
    expect(phone.sends.map((send) => send.content)).toEqual([
      { type: 'text', to: '15550001111@s.whatsapp.net', text: 'pong' },
    ]);
  } finally {
    await t.stop();
  }
});
