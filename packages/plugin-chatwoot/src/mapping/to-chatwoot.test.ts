import type { Message, MessageContent, MessageType } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { toChatwootDraft, toChatwootEdit, toChatwootReaction, vcardPhones } from './to-chatwoot.js';

function message<T extends MessageType>(
  msgType: T,
  content: MessageContent<T>,
  extra: Partial<Message> = {},
): Message {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    sessionId: '00000000-0000-4000-8000-000000000002',
    chatId: '5511987654321@s.whatsapp.net',
    waid: 'WA1',
    msgType,
    content,
    mediaInfo: null,
    senderJid: '5511987654321@s.whatsapp.net',
    senderName: 'Ana',
    isFromMe: false,
    quotedMsgId: null,
    status: 'delivered',
    timestamp: '2026-12-01T12:00:00.000Z',
    metadata: {},
    ...extra,
  } as Message;
}

const jpeg = { mimeType: 'image/jpeg', size: 10, path: 'media/x.jpg' };

describe('toChatwootDraft', () => {
  it('bridges text as Markdown, incoming, with the WAID source id', () => {
    expect(toChatwootDraft(message('text', { text: 'hi *there*' }))).toEqual({
      message: { content: 'hi **there**', messageType: 'incoming', private: false, sourceId: 'WAID:WA1' },
      attachment: null,
    });
  });

  it('uploads media with its caption once, named after the message when the file has no name', () => {
    const draft = toChatwootDraft(message('image', { caption: 'look _here_' }, { mediaInfo: jpeg }));
    expect(draft).toEqual({
      message: { content: 'look _here_', messageType: 'incoming', private: false, sourceId: 'WAID:WA1' },
      attachment: { fileName: 'image-WA1.jpg', contentType: 'image/jpeg' },
    });
    const doc = toChatwootDraft(
      message(
        'document',
        { fileName: 'menu.pdf' },
        { mediaInfo: { mimeType: 'application/pdf', fileName: 'menu.pdf' } },
      ),
    );
    expect([doc?.message.content, doc?.attachment]).toEqual([
      null,
      { fileName: 'menu.pdf', contentType: 'application/pdf' },
    ]);
    const voice = toChatwootDraft(
      message('audio', { voiceNote: true }, { mediaInfo: { mimeType: 'audio/ogg; codecs=opus' } }),
    );
    expect(voice?.attachment).toEqual({ fileName: 'voice-WA1.ogg', contentType: 'audio/ogg; codecs=opus' });
    const sticker = toChatwootDraft(message('sticker', {}, { mediaInfo: { mimeType: 'image/webp' } }));
    expect(sticker?.attachment?.fileName).toBe('sticker-WA1.webp');
  });

  it('says so when the media could not be downloaded, keeping the caption', () => {
    const draft = toChatwootDraft(
      message(
        'video',
        { caption: 'party' },
        { mediaInfo: { mimeType: 'video/mp4', error: 'media expired' } },
      ),
    );
    expect(draft?.message.content).toBe('_[video could not be downloaded: media expired]_\nparty');
    expect(draft?.attachment).toBeNull();
  });

  it('shows a location as a map link', () => {
    const draft = toChatwootDraft(
      message('location', {
        latitude: -23.55,
        longitude: -46.63,
        name: 'Office',
        address: 'Av. Paulista, 1000',
      }),
    );
    expect(draft?.message.content).toBe(
      '📍 **Office**\nAv. Paulista, 1000\nhttps://www.google.com/maps?q=-23.55,-46.63',
    );
  });

  it('lists contact cards with their WhatsApp numbers', () => {
    const vcard =
      'BEGIN:VCARD\nVERSION:3.0\nFN:Bruno\nTEL;type=CELL;type=VOICE;waid=5511912340000:+55 11 91234-0000\nEND:VCARD';
    const draft = toChatwootDraft(message('contact', { contacts: [{ displayName: 'Bruno', vcard }] }));
    expect(draft?.message.content).toBe('👤 **Bruno**\n📞 +5511912340000');
    expect(vcardPhones('BEGIN:VCARD\nitem1.TEL:+1 415 555 0123\nEND:VCARD')).toEqual(['+1 415 555 0123']);
  });

  it('shows a poll with its options', () => {
    const draft = toChatwootDraft(
      message('poll', { name: 'Lunch?', options: ['Pizza', 'Sushi'], selectableCount: 2 }),
    );
    expect(draft?.message.content).toBe('📊 **Lunch?**\n- Pizza\n- Sushi\n_Up to 2 choices_');
  });

  it('makes replies and reactions point at the bridged message', () => {
    const reply = toChatwootDraft(message('text', { text: 'yes' }), { inReplyTo: 41 });
    expect(reply?.message.contentAttributes).toEqual({ in_reply_to: 41 });
    const reaction = toChatwootDraft(message('reaction', { targetWaid: 'WA0', emoji: '👍' }), {
      inReplyTo: 41,
    });
    expect(reaction?.message).toMatchObject({
      content: '👍',
      contentAttributes: { in_reply_to: 41, is_reaction: true },
    });
    expect(toChatwootDraft(message('reaction', { targetWaid: 'WA0', emoji: '' }))).toBeNull();
  });

  it('prefixes group messages with the participant name and number', () => {
    const participant = { name: 'Ana', phone: '+5511987654321' };
    const text = toChatwootDraft(message('text', { text: 'hello all' }), { participant });
    expect(text?.message.content).toBe('**Ana** (+5511987654321):\nhello all');
    const photo = toChatwootDraft(message('image', {}, { mediaInfo: jpeg }), {
      participant: { name: null, phone: '+5511987654321' },
    });
    expect(photo?.message.content).toBe('**+5511987654321**:');
  });

  it('shows messages sent from the phone as outgoing, or as private notes', () => {
    const mine = message('text', { text: 'sent from my phone' }, { isFromMe: true });
    expect(toChatwootDraft(mine)?.message).toMatchObject({ messageType: 'outgoing', private: false });
    expect(toChatwootDraft(mine, { fromMeAsNote: true })?.message).toMatchObject({
      messageType: 'outgoing',
      private: true,
    });
  });

  it('notes forwarded, view-once and unsupported messages', () => {
    const forwarded = toChatwootDraft(message('text', { text: 'fwd' }, { metadata: { forwarded: true } }));
    expect(forwarded?.message.content).toBe('_Forwarded_\nfwd');
    expect(toChatwootDraft(message('unsupported', { kind: 'callLogMessage' }))?.message.content).toBe(
      '_Unsupported WhatsApp message (callLogMessage)_',
    );
  });
});

describe('toChatwootEdit', () => {
  it('replies to the original with the new text and a source id per edit', () => {
    const edited = message('text', { text: 'new *text*' });
    expect(toChatwootEdit(edited, { inReplyTo: 41, editedAt: '2026-12-01T12:05:00.000Z' })).toEqual({
      message: {
        content: '✏️ _Edited:_ new **text**',
        messageType: 'incoming',
        private: false,
        sourceId: `WAID:WA1@edit:${Date.parse('2026-12-01T12:05:00.000Z')}`,
        contentAttributes: { in_reply_to: 41 },
      },
      attachment: null,
    });
  });
});

describe('toChatwootReaction', () => {
  const reaction = {
    targetWaid: 'WA0',
    senderJid: '5511987654321@s.whatsapp.net',
    emoji: '❤️',
    isFromMe: false,
  };
  it('shows the emoji as a reaction to the bridged message', () => {
    expect(toChatwootReaction(reaction, { inReplyTo: 41 })?.message).toEqual({
      content: '❤️',
      messageType: 'incoming',
      private: false,
      sourceId: 'WAID:WA0@reaction:5511987654321@s.whatsapp.net:❤️',
      contentAttributes: { in_reply_to: 41, is_reaction: true },
    });
  });
  it('has nothing to create for a removed reaction', () => {
    expect(toChatwootReaction({ ...reaction, emoji: '' })).toBeNull();
  });
});
