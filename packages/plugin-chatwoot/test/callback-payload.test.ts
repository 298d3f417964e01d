import { type FakeChatwoot, startFakeChatwoot, startReceiver } from '@zapgate/chatwoot-sim';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAgentReply, parseCallback } from '../src/callback/payload.js';
import { planWhatsappSends } from '../src/mapping/to-whatsapp.js';

// The payloads come from the fake Chatwoot (shaped as Chatwoot's webhook_data), over HTTP.
let chatwoot: FakeChatwoot;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let conversationId: number;

beforeEach(async () => {
  chatwoot = await startFakeChatwoot();
  receiver = await startReceiver();
  const inbox = chatwoot.createInbox('WhatsApp', receiver.url);
  const contactId = chatwoot.state.nextId('contact');
  const contactInbox = chatwoot.state.addContactInbox(contactId, inbox.id);
  chatwoot.state.contacts.set(contactId, {
    id: contactId,
    name: 'Ana',
    email: null,
    phoneNumber: '+5511987654321',
    identifier: '5511987654321@s.whatsapp.net',
    avatarUrl: null,
    customAttributes: {},
    additionalAttributes: {},
    createdAt: new Date(),
  });
  conversationId = chatwoot.state.nextId('conversation');
  chatwoot.state.conversations.set(conversationId, {
    id: conversationId,
    inboxId: inbox.id,
    contactId,
    contactInboxId: contactInbox.id,
    status: 'open',
    customAttributes: {},
    additionalAttributes: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  });
});
afterEach(async () => {
  await chatwoot.close();
  await receiver.close();
});

const last = () => parseCallback(JSON.parse(receiver.received.at(-1)!.body));
const signature = { signMessages: false, signDelimiter: '\n' };

describe('callbacks from Chatwoot', () => {
  it('reads an agent reply and plans it as one WhatsApp text, in WhatsApp formatting', async () => {
    await chatwoot.dashboard.reply(conversationId, { content: '**Hello** there' });
    const callback = last();
    expect(callback.kind).toBe('message');
    if (callback.kind !== 'message') return;
    expect(isAgentReply(callback.payload)).toBe(true);
    expect(callback.payload.conversation.meta?.sender?.identifier).toBe('5511987654321@s.whatsapp.net');
    expect(planWhatsappSends(callback.payload, signature)).toEqual([{ kind: 'text', text: '*Hello* there' }]);
    expect(planWhatsappSends(callback.payload, { signMessages: true, signDelimiter: '\n' })).toEqual([
      { kind: 'text', text: '*Alice Agent:*\n*Hello* there' },
    ]);
  });

  it('puts the text on the first image as its caption, once', async () => {
    const png = { contentType: 'image/png', data: Buffer.from('PNG') };
    await chatwoot.dashboard.reply(conversationId, {
      content: 'two photos',
      attachments: [
        { fileName: 'a.png', ...png },
        { fileName: 'b.png', ...png },
      ],
    });
    const callback = last();
    if (callback.kind !== 'message') throw new Error(`unexpected ${callback.kind}`);
    const sends = planWhatsappSends(callback.payload, signature);
    expect(sends.map((s) => (s.kind === 'media' ? [s.mediaType, s.fileName, s.caption] : s.text))).toEqual([
      ['image', 'a.png', 'two photos'],
      ['image', 'b.png', undefined],
    ]);
    const file = await fetch((sends[0] as { url: string }).url);
    expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('PNG');
  });

  it('sends the text before an audio file (audio has no caption)', async () => {
    await chatwoot.dashboard.reply(conversationId, {
      content: 'listen',
      attachments: [{ fileName: 'note.mp3', contentType: 'audio/mpeg', data: Buffer.from('MP3') }],
    });
    const callback = last();
    if (callback.kind !== 'message') throw new Error(`unexpected ${callback.kind}`);
    expect(planWhatsappSends(callback.payload, signature).map((s) => s.kind)).toEqual(['text', 'media']);
  });

  it('never treats private notes, incoming messages or the bridge echoes as replies', async () => {
    await chatwoot.dashboard.reply(conversationId, { content: 'internal', private: true });
    const note = last();
    expect(note.kind === 'message' && isAgentReply(note.payload)).toBe(false);
    const bridged = {
      ...(note.kind === 'message' ? note.payload : ({} as never)),
      private: false,
      source_id: 'WAID:X',
    };
    expect(isAgentReply(bridged)).toBe(false);
    expect(isAgentReply({ ...bridged, source_id: null, message_type: 'incoming' })).toBe(false);
  });

  it('reads status changes and typing', async () => {
    await chatwoot.dashboard.setStatus(conversationId, 'resolved');
    expect(last()).toMatchObject({
      kind: 'status',
      payload: { event: 'conversation_status_changed', id: 1, status: 'resolved' },
    });
    await chatwoot.dashboard.typing(conversationId, true);
    expect(last()).toMatchObject({
      kind: 'typing',
      payload: { event: 'conversation_typing_on', is_private: false },
    });
    expect(parseCallback({ event: 'contact_created', id: 3 })).toEqual({
      kind: 'ignored',
      event: 'contact_created',
    });
  });
});
