import type { AnyGatewayEvent } from '@zapgate/core';
import { describe, expect, it } from 'vitest';
import { chatKeyOf, payloadOf, subscribedTo } from './events.js';

describe('subscribedTo', () => {
  it('matches everything when empty, exact names and wildcards otherwise', () => {
    expect(subscribedTo([], 'message.received')).toBe(true);
    expect(subscribedTo(['*'], 'session.status')).toBe(true);
    expect(subscribedTo(['message.*'], 'message.received')).toBe(true);
    expect(subscribedTo(['message.*'], 'message.status')).toBe(true);
    expect(subscribedTo(['message.*'], 'messages.received')).toBe(false);
    expect(subscribedTo(['message.*'], 'session.status')).toBe(false);
    expect(subscribedTo(['message.received'], 'message.received')).toBe(true);
    expect(subscribedTo(['message.received'], 'message.sent')).toBe(false);
    expect(subscribedTo(['chat.upserted', 'message.sent'], 'message.sent')).toBe(true);
  });
});

const received = {
  id: '01JTEST',
  type: 'message.received',
  sessionId: '8a6b0f5c-0000-4000-8000-000000000001',
  occurredAt: '2025-01-01T00:00:00.000Z',
  data: {
    message: {
      id: 'm1',
      chatId: '5511@s.whatsapp.net',
      mediaInfo: { mimeType: 'image/jpeg', url: '/v1/sessions/s/messages/m1/media' },
    },
  },
} as unknown as AnyGatewayEvent;

describe('payloadOf', () => {
  it('is exactly the envelope, with media URLs made absolute on the public URL', () => {
    const payload = payloadOf(received, 'https://gw.example.com/');
    expect(Object.keys(payload)).toEqual(['id', 'type', 'sessionId', 'occurredAt', 'data']);
    expect((payload.data as { message: { mediaInfo: { url: string } } }).message.mediaInfo.url).toBe(
      'https://gw.example.com/v1/sessions/s/messages/m1/media',
    );
    expect((received.data as { message: { mediaInfo: { url: string } } }).message.mediaInfo.url).toBe(
      '/v1/sessions/s/messages/m1/media',
    );
  });

  it('keeps the path when no public URL is configured', () => {
    expect(payloadOf(received, undefined).data).toBe(received.data);
  });
});

describe('chatKeyOf', () => {
  it('finds the chat of message, chat, presence and group events', () => {
    expect(chatKeyOf(received)).toBe('5511@s.whatsapp.net');
    expect(chatKeyOf({ data: { chatId: 'c1', waid: 'w' } } as never)).toBe('c1');
    expect(chatKeyOf({ data: { chat: { chatJid: 'c2' } } } as never)).toBe('c2');
    expect(chatKeyOf({ data: { groupJid: 'g@g.us' } } as never)).toBe('g@g.us');
    expect(chatKeyOf({ data: { status: 'connected' } } as never)).toBeNull();
  });
});
