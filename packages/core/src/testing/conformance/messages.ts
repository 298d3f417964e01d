import { describe, expect, it } from 'vitest';
import type { Message, MessageStatus } from '../../contracts/message.js';
import type { Store } from '../../ports/store.js';
import { expectCode, newSession, textMessage, uuidPattern } from './fixtures.js';

const chat = '15550001111@s.whatsapp.net';
const newestFirst = (a: Message, b: Message) =>
  a.timestamp === b.timestamp ? (a.id < b.id ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1;

export function messageTests(store: () => Store): void {
  describe('messages', () => {
    it('inserts with defaults and reads back by id and waid', async () => {
      const s = await newSession(store(), 's');
      const { message, inserted } = await store().messages.insert(textMessage(s, { waid: 'W1' }));
      expect(inserted).toBe(true);
      expect(message).toEqual({
        id: expect.stringMatching(uuidPattern),
        sessionId: s.id,
        chatId: chat,
        waid: 'W1',
        msgType: 'text',
        content: { text: 'hello' },
        mediaInfo: null,
        senderJid: chat,
        senderName: 'Ana',
        isFromMe: false,
        quotedMsgId: null,
        origin: null,
        status: 'delivered',
        timestamp: '2024-05-01T10:00:00.000Z',
        metadata: {},
      });
      expect(await store().messages.get(s.id, message.id)).toEqual(message);
      expect(await store().messages.getByWaid(s.id, chat, 'W1')).toEqual(message);
      expect(await store().messages.getByWaid(s.id, 'other@s.whatsapp.net', 'W1')).toBeNull();
      expect(await store().messages.get(s.id, crypto.randomUUID())).toBeNull();
      const own = await store().messages.insert(textMessage(s, { waid: 'W2', isFromMe: true }));
      expect(own.message.status).toBe('sent');
      const id = crypto.randomUUID();
      const given = await store().messages.insert(
        textMessage(s, {
          id,
          waid: 'W3',
          status: 'pending',
          mediaInfo: { mimeType: 'image/jpeg', size: 10 },
          metadata: { mentions: ['1@s.whatsapp.net'] },
        }),
      );
      expect(given.message).toMatchObject({
        id,
        status: 'pending',
        mediaInfo: { mimeType: 'image/jpeg', size: 10 },
        metadata: { mentions: ['1@s.whatsapp.net'] },
      });
    });

    it('stores the same waid once per session and chat', async () => {
      const s = await newSession(store(), 's');
      const other = await newSession(store(), 'other');
      const first = await store().messages.insert(textMessage(s, { waid: 'DUP' }));
      const again = await store().messages.insert(
        textMessage(s, { waid: 'DUP', content: { text: 'changed' }, status: 'read' }),
      );
      expect(again).toEqual({ message: first.message, inserted: false });
      expect((await store().messages.list(s.id)).items).toEqual([first.message]);
      const otherChat = await store().messages.insert(textMessage(s, { waid: 'DUP', chatId: 'g@g.us' }));
      const otherSession = await store().messages.insert(textMessage(other, { waid: 'DUP' }));
      expect(otherChat.inserted).toBe(true);
      expect(otherSession.inserted).toBe(true);
      expect(new Set([first.message.id, otherChat.message.id, otherSession.message.id]).size).toBe(3);
      expect((await store().messages.list(s.id)).items).toHaveLength(2);
    });

    it('inserts many at once: new ones returned in order, replays and repeats change nothing', async () => {
      const s = await newSession(store(), 's');
      const other = await newSession(store(), 'other');
      const old = await store().messages.insert(textMessage(s, { waid: 'OLD' }));
      const batch = [
        textMessage(s, { waid: 'B1', content: { text: 'one' } }),
        textMessage(s, { waid: 'OLD', content: { text: 'replayed' } }),
        textMessage(other, { waid: 'B1' }),
        textMessage(s, { waid: 'B2', chatId: 'g@g.us', isFromMe: true }),
        textMessage(s, { waid: 'B1', content: { text: 'repeated in the batch' } }),
      ];
      const inserted = await store().transaction((tx) => tx.messages.insertMany(batch));
      expect(inserted.map((m) => [m.sessionId, m.waid])).toEqual([
        [s.id, 'B1'],
        [other.id, 'B1'],
        [s.id, 'B2'],
      ]);
      expect(inserted[0]).toMatchObject({ content: { text: 'one' }, status: 'delivered', metadata: {} });
      expect(inserted[2]?.status).toBe('sent');
      expect(await store().messages.get(s.id, inserted[0]?.id ?? '')).toEqual(inserted[0]);
      expect(await store().messages.getByWaid(s.id, chat, 'OLD')).toEqual(old.message);
      expect(await store().messages.insertMany([])).toEqual([]);
      expect((await store().messages.list(s.id)).items).toHaveLength(3);
    });

    it('fails every pending outbound message of every session at once, keeping its metadata', async () => {
      const s = await newSession(store(), 's');
      const t = await newSession(store(), 't');
      const p1 = await store().messages.insert(
        textMessage(s, { waid: 'P1', isFromMe: true, status: 'pending', metadata: { mentions: ['x'] } }),
      );
      const p2 = await store().messages.insert(
        textMessage(t, { waid: 'P2', isFromMe: true, status: 'pending' }),
      );
      const sent = await store().messages.insert(
        textMessage(s, { waid: 'S1', isFromMe: true, status: 'sent' }),
      );
      const failed = await store().transaction((tx) => tx.messages.failPending('stopped'));
      expect(failed.map((m) => m.id).sort()).toEqual([p1.message.id, p2.message.id].sort());
      expect(await store().messages.get(s.id, p1.message.id)).toMatchObject({
        status: 'failed',
        metadata: { mentions: ['x'], error: 'stopped' },
      });
      expect(await store().messages.get(s.id, sent.message.id)).toEqual(sent.message);
      expect(await store().messages.failPending('again')).toEqual([]);
    });

    it('finds a message by idempotency key, which is unique per session, with its request hash', async () => {
      const s = await newSession(store(), 's');
      const other = await newSession(store(), 'other');
      const { message } = await store().messages.insert(
        textMessage(s, {
          waid: 'K1',
          isFromMe: true,
          status: 'pending',
          idempotencyKey: 'key-1',
          requestHash: 'hash-1',
        }),
      );
      expect(message).not.toHaveProperty('idempotencyKey');
      expect(message).not.toHaveProperty('requestHash');
      expect(await store().messages.getByIdempotencyKey(s.id, 'key-1')).toEqual({
        message,
        requestHash: 'hash-1',
      });
      expect(await store().messages.getByIdempotencyKey(s.id, 'key-2')).toBeNull();
      expect(await store().messages.getByIdempotencyKey(other.id, 'key-1')).toBeNull();
      const retry = await store().messages.insert(
        textMessage(s, { waid: 'K2', isFromMe: true, status: 'pending', idempotencyKey: 'key-1' }),
      );
      expect(retry).toEqual({ message, inserted: false });
      expect(await store().messages.getByWaid(s.id, chat, 'K2')).toBeNull();
      const elsewhere = await store().messages.insert(
        textMessage(other, { waid: 'K1', isFromMe: true, idempotencyKey: 'key-1' }),
      );
      expect(elsewhere.inserted).toBe(true);
      expect((await store().messages.getByIdempotencyKey(other.id, 'key-1'))?.requestHash).toBeNull();
    });

    it('stores who sent a message: given, else `phone` for our own and `null` for received', async () => {
      const s = await newSession(store(), 's');
      const byPlugin = await store().messages.insert(
        textMessage(s, { isFromMe: true, status: 'pending', origin: 'plugin:chatwoot' }),
      );
      const fromPhone = await store().messages.insert(textMessage(s, { isFromMe: true }));
      const received = await store().messages.insert(textMessage(s));
      expect(byPlugin.message.origin).toBe('plugin:chatwoot');
      expect(fromPhone.message.origin).toBe('phone');
      expect(received.message.origin).toBeNull();
      expect((await store().messages.get(s.id, byPlugin.message.id))?.origin).toBe('plugin:chatwoot');
      const [latest] = (await store().messages.list(s.id, { limit: 1 })).items;
      expect(latest).toHaveProperty('origin');
    });

    it('lists newest first with filters; since is inclusive, until exclusive', async () => {
      const s = await newSession(store(), 's');
      const at = (d: number) => `2024-05-0${d}T10:00:00.000Z`;
      const add = async (waid: string, d: number, extra: Parameters<typeof textMessage>[1] = {}) =>
        (await store().messages.insert(textMessage(s, { waid, timestamp: at(d), ...extra }))).message;
      await add('m1', 1);
      await add('m2', 2, { isFromMe: true, status: 'pending' });
      await add('m3', 3, { chatId: 'g@g.us' });
      await add('m4', 4, { msgType: 'location', content: { latitude: 1, longitude: 2 } });
      await add('m5', 5, { isFromMe: true, chatId: 'g@g.us' });
      const waids = async (filter: Parameters<Store['messages']['list']>[1]) =>
        (await store().messages.list(s.id, filter)).items.map((m) => m.waid);
      expect(await waids({})).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
      expect(await waids({ chatId: 'g@g.us' })).toEqual(['m5', 'm3']);
      expect(await waids({ msgType: 'location' })).toEqual(['m4']);
      expect(await waids({ isFromMe: true })).toEqual(['m5', 'm2']);
      expect(await waids({ isFromMe: false })).toEqual(['m4', 'm3', 'm1']);
      expect(await waids({ since: at(2), until: at(4) })).toEqual(['m3', 'm2']);
      expect(await waids({ since: at(5) })).toEqual(['m5']);
      expect(await waids({ until: at(1) })).toEqual([]);
      expect(await waids({ chatId: 'g@g.us', isFromMe: false })).toEqual(['m3']);
      expect(await waids({ status: 'pending' })).toEqual(['m2']);
      expect(await waids({ status: 'delivered' })).toEqual(['m4', 'm3', 'm1']);
    });

    it('pages without gaps or repeats, also across equal timestamps', async () => {
      const s = await newSession(store(), 's');
      const stored: Message[] = [];
      const stamps = [1, 2, 2, 2, 3, 3, 4];
      for (const [i, d] of stamps.entries()) {
        const m = textMessage(s, { waid: `p${i}`, timestamp: `2024-05-0${d}T10:00:00.000Z` });
        stored.push((await store().messages.insert(m)).message);
      }
      await store().messages.insert(textMessage(s, { waid: 'x', chatId: 'g@g.us' }));
      const expected = [...stored].sort(newestFirst).map((m) => m.id);
      for (const limit of [1, 2, 3]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store().messages.list(s.id, {
            chatId: chat,
            limit,
            ...(cursor ? { cursor } : {}),
          });
          seen.push(...page.items.map((m) => m.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor && pages < 20);
        expect(seen).toEqual(expected);
        expect(pages).toBe(Math.ceil(stored.length / limit));
      }
      const last = await store().messages.list(s.id, { chatId: chat, limit: stored.length });
      expect(last.nextCursor).toBeNull();
      await expectCode(store().messages.list(s.id, { cursor: 'garbage!' }), 'INVALID_CURSOR');
    });

    it('updates fields and keeps the waid lookup in step', async () => {
      const s = await newSession(store(), 's');
      const { message } = await store().messages.insert(textMessage(s, { waid: 'OLD', isFromMe: true }));
      const updated = await store().messages.update(s.id, message.id, {
        content: { text: 'edited' },
        metadata: { edits: [{ content: { text: 'hello' }, editedAt: '2024-05-01T10:05:00.000Z' }] },
        waid: 'NEW',
      });
      expect(updated).toEqual({
        ...message,
        content: { text: 'edited' },
        metadata: { edits: [{ content: { text: 'hello' }, editedAt: '2024-05-01T10:05:00.000Z' }] },
        waid: 'NEW',
      });
      expect(await store().messages.getByWaid(s.id, chat, 'NEW')).toEqual(updated);
      expect(await store().messages.getByWaid(s.id, chat, 'OLD')).toBeNull();
      await expectCode(
        store().messages.update(s.id, crypto.randomUUID(), { status: 'read' }),
        'MESSAGE_NOT_FOUND',
      );
      const other = await newSession(store(), 'other');
      await expectCode(
        store().messages.update(other.id, message.id, { status: 'read' }),
        'MESSAGE_NOT_FOUND',
      );
      expect(await store().messages.get(other.id, message.id)).toBeNull();
    });

    it('advances several messages to one status at once, those that move in input order', async () => {
      const s = await newSession(store(), 's');
      const other = await newSession(store(), 'other');
      const insert = async (waid: string, status: MessageStatus, session = s) =>
        (await store().messages.insert(textMessage(session, { waid, isFromMe: true, status }))).message;
      const first = await insert('M1', 'pending');
      const second = await insert('M2', 'pending');
      await insert('M3', 'read');
      await insert('M4', 'failed');
      await insert('M5', 'pending', other);
      const moved = await store().messages.advanceStatusMany(
        s.id,
        ['M2', 'M3', 'missing', 'M4', 'M5', 'M1'].map((waid) => ({ chatId: chat, waid })),
        'sent',
      );
      // M3 is past sent, M4 failed for good, M5 is another session's: left as they are
      expect(moved).toEqual([
        { message: { ...second, status: 'sent' }, previous: 'pending' },
        { message: { ...first, status: 'sent' }, previous: 'pending' },
      ]);
      const statuses = async (session: typeof s) =>
        (await store().messages.list(session.id, {})).items.map((m) => [m.waid, m.status]).sort();
      expect(await statuses(s)).toEqual([
        ['M1', 'sent'],
        ['M2', 'sent'],
        ['M3', 'read'],
        ['M4', 'failed'],
      ]);
      expect(await statuses(other)).toEqual([['M5', 'pending']]);
      expect(await store().messages.advanceStatusMany(s.id, [], 'sent')).toEqual([]);
    });

    it('advances the status forward only', async () => {
      const s = await newSession(store(), 's');
      const { message } = await store().messages.insert(
        textMessage(s, { waid: 'S1', isFromMe: true, status: 'pending' }),
      );
      const step = (status: MessageStatus, waid = 'S1') =>
        store().messages.advanceStatus(s.id, chat, waid, status);
      expect(await step('sent')).toEqual({ message: { ...message, status: 'sent' }, previous: 'pending' });
      expect(await step('read')).toEqual({ message: { ...message, status: 'read' }, previous: 'sent' });
      expect(await step('failed')).toBeNull(); // delivered and read: too late for an error ack
      expect(await step('delivered')).toBeNull();
      expect(await step('read')).toBeNull();
      expect((await store().messages.get(s.id, message.id))?.status).toBe('read');
      expect(await step('played')).toEqual({ message: { ...message, status: 'played' }, previous: 'read' });
      expect(await step('sent')).toBeNull();
      expect((await store().messages.get(s.id, message.id))?.status).toBe('played');
      expect(await step('delivered', 'missing')).toBeNull();

      await store().messages.insert(textMessage(s, { waid: 'S2', isFromMe: true, status: 'pending' }));
      const failed = await step('failed', 'S2');
      expect(failed?.previous).toBe('pending');
      expect(failed?.message.status).toBe('failed');
      // failed is final: a late `sent` (the send returning after the error ack) does not revive it
      expect(await step('sent', 'S2')).toBeNull();
      // an error ack after `sent` (WhatsApp accepted, then refused: 463)
      await store().messages.insert(textMessage(s, { waid: 'S3', isFromMe: true, status: 'pending' }));
      await step('sent', 'S3');
      expect((await step('failed', 'S3'))?.previous).toBe('sent');
      expect(await step('delivered', 'S3')).toBeNull();
    });
  });
}
