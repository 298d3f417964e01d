import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type PluginHarness, startPluginHarness, waitFor } from './plugin-harness.js';

// The plugin on the platform (per-session settings, durable jobs, events) without HTTP: two
// gateways on one Postgres database, the fake connector, the fake Chatwoot. The callback and
// real Baileys are covered end to end in packages/e2e.
describe('chatwoot() on two gateways sharing Postgres', () => {
  let h: PluginHarness;
  beforeAll(async () => {
    h = await startPluginHarness({ nodes: 2 });
  });
  afterAll(() => h?.stop());
  afterEach(() => expect(h.chatwoot.violations).toEqual([]));

  const api = () => h.gateways[0]!;
  const conversationsOf = (identifier: string) => {
    const contact = [...h.chatwoot.state.contacts.values()].find((c) => c.identifier === identifier);
    return contact
      ? [...h.chatwoot.state.conversations.values()].filter((c) => c.contactId === contact.id)
      : [];
  };
  const bridgedWaids = (conversationId: number) =>
    h.chatwoot.messagesOf(conversationId).map((m) => m.sourceId?.replace('WAID:', ''));
  const configure = (change: Record<string, unknown> = {}) =>
    api().pluginSettings.put(h.sessionId, 'chatwoot', {
      url: h.chatwoot.url,
      accountId: h.chatwoot.accountId,
      token: h.chatwoot.token,
      commands: false,
      ...change,
    });
  const bridgeEvents = async () =>
    (
      await h.store.events.list({
        afterSeq: 0,
        limit: 1000,
        types: ['chatwoot.bridge'],
        sessionId: h.sessionId,
      })
    ).map((e) => e.data as { status: string; code: string | null; inboxId: number | null });

  it('starts the bridge when settings are saved: the inbox is created by name with the callback URL', async () => {
    await configure();
    const [running] = await waitFor(
      async () => {
        const events = await bridgeEvents();
        return events.length > 0 ? events : null;
      },
      60_000,
      'chatwoot.bridge',
    );
    expect(running).toMatchObject({ status: 'running', code: null });
    const inbox = h.chatwoot.state.inboxes.get(running!.inboxId!)!;
    expect(inbox.name).toBe('WhatsApp');
    expect(inbox.webhookUrl).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:9/v1/chatwoot/${h.sessionId}/callback\\?token=[\\w-]{43}$`),
    );
  });

  it('makes one conversation for 50 simultaneous first messages, each bridged once, in order', async () => {
    const chatId = '5511911112222@s.whatsapp.net';
    const waids = Array.from({ length: 50 }, (_, i) => `BURST${i}`);
    await Promise.all(
      waids.map((waid, i) =>
        h.fake.inbound({ waid, chatId, senderJid: chatId, content: { text: `burst ${i}` } }),
      ),
    );
    const [conversation] = await waitFor(
      () => {
        const found = conversationsOf(chatId);
        return found.length > 0 && bridgedWaids(found[0]!.id).length >= 50 ? found : null;
      },
      60_000,
      '50 messages in Chatwoot',
    );
    expect(conversationsOf(chatId)).toHaveLength(1);
    const received = (
      await h.store.events.list({
        afterSeq: 0,
        limit: 1000,
        types: ['message.received'],
        sessionId: h.sessionId,
      })
    )
      .map((e) => (e.data as { message: { chatId: string; waid: string } }).message)
      .filter((m) => m.chatId === chatId)
      .map((m) => m.waid);
    expect(bridgedWaids(conversation!.id)).toEqual(received);
    expect(new Set(received)).toEqual(new Set(waids));
  });

  it('delivers everything in order after an outage, honouring Retry-After', async () => {
    const chatId = '5511933334444@s.whatsapp.net';
    await h.fake.inbound({ waid: 'BEFORE', chatId, senderJid: chatId, content: { text: 'before' } });
    const [conversation] = await waitFor(
      () => {
        const found = conversationsOf(chatId);
        return found.length > 0 && bridgedWaids(found[0]!.id).length === 1 ? found : null;
      },
      60_000,
      'first message',
    );
    h.chatwoot.faults.fail({ status: 429, retryAfter: 1 });
    for (let i = 0; i < 5; i += 1) {
      await h.fake.inbound({ waid: `OUT${i}`, chatId, senderJid: chatId, content: { text: `outage ${i}` } });
    }
    await waitFor(() => h.chatwoot.faults.failed >= 2, 60_000, 'the outage to be hit');
    h.chatwoot.faults.clear();
    await waitFor(() => bridgedWaids(conversation!.id).length === 6, 60_000, 'all delivered');
    expect(bridgedWaids(conversation!.id)).toEqual(['BEFORE', 'OUT0', 'OUT1', 'OUT2', 'OUT3', 'OUT4']);
  });

  it('stops the bridge on a refused token, and runs it again when the settings change', async () => {
    h.chatwoot.revokeToken();
    const chatId = '5511955556666@s.whatsapp.net';
    await h.fake.inbound({ waid: 'REFUSED', chatId, senderJid: chatId, content: { text: 'refused' } });
    const stopped = await waitFor(
      async () => (await bridgeEvents()).find((e) => e.status === 'stopped'),
      60_000,
      'stopped',
    );
    expect(stopped).toMatchObject({ code: 'CHATWOOT_UNAUTHORIZED' });
    await configure();
    await waitFor(async () => (await bridgeEvents()).at(-1)?.status === 'running', 60_000, 'running again');
    await h.fake.inbound({ waid: 'AFTER', chatId, senderJid: chatId, content: { text: 'after' } });
    await waitFor(
      () => conversationsOf(chatId)[0] && bridgedWaids(conversationsOf(chatId)[0]!.id).includes('AFTER'),
      60_000,
      'after',
    );
  });
});
