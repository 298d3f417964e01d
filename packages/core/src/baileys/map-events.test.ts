import { describe, expect, it } from 'vitest';
import { ackErrorOf, chatOf } from './map-events.js';

describe('chatOf (Baileys chats.update → Zapgate chat)', () => {
  it('keeps a chat marked unread by hand (-1) as unread', () => {
    expect(chatOf({ id: '15550002222@s.whatsapp.net', unreadCount: -1 })).toMatchObject({ unreadCount: 1 });
    expect(chatOf({ id: '15550002222@s.whatsapp.net', unreadCount: 0 })).toMatchObject({ unreadCount: 0 });
  });

  it('reads mute ends in milliseconds (what the gateway sends) and seconds, and unmute as null', () => {
    const until = Date.parse('2030-01-01T00:00:00.000Z');
    expect(chatOf({ id: 'x@s.whatsapp.net', muteEndTime: until })?.mutedUntil).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect(chatOf({ id: 'x@s.whatsapp.net', muteEndTime: until / 1000 })?.mutedUntil).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect(chatOf({ id: 'x@s.whatsapp.net', muteEndTime: null as unknown as number })?.mutedUntil).toBeNull();
  });

  it('maps archive and pin flags and leaves absent fields out', () => {
    expect(chatOf({ id: '123-456@g.us', archived: true, pinned: 1700000000 })).toEqual({
      chatJid: '123-456@g.us',
      isGroup: true,
      isArchived: true,
      isPinned: true,
    });
  });
});

describe('ackErrorOf', () => {
  it('reads the code of an error ack from messageStubParameters', () => {
    expect(ackErrorOf({ messageStubParameters: ['463'] })).toBe('463');
    expect(ackErrorOf({ messageStubParameters: ['479', 'extra'] })).toBe('479');
    expect(ackErrorOf({ messageStubParameters: [] })).toBeNull();
    expect(ackErrorOf({ messageStubParameters: ['<script>'] })).toBeNull();
    expect(ackErrorOf({})).toBeNull();
  });
});
