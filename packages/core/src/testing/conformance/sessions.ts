import { describe, expect, it } from 'vitest';
import { defaultSessionSettings } from '../../contracts/session.js';
import type { Store } from '../../ports/store.js';
import { expectCode, isoPattern, newSession, textMessage, uuidPattern } from './fixtures.js';

export function sessionTests(store: () => Store): void {
  describe('sessions', () => {
    it('creates a session with defaults and reads it back by id, name and key hash', async () => {
      const created = await store().sessions.create({
        name: 'sales',
        proxyUrl: 'http://proxy.local:8080',
        settings: { ...defaultSessionSettings, markRead: true },
        apiKeyHash: 'hash-sales',
      });
      expect(created).toEqual({
        id: expect.stringMatching(uuidPattern),
        name: 'sales',
        status: 'disconnected',
        statusReason: null,
        deviceJid: null,
        phoneNumber: null,
        pushName: null,
        proxyUrl: 'http://proxy.local:8080',
        settings: { ...defaultSessionSettings, markRead: true },
        qr: null,
        createdAt: expect.stringMatching(isoPattern),
        updatedAt: expect.stringMatching(isoPattern),
      });
      expect(created).not.toHaveProperty('apiKeyHash');
      expect(await store().sessions.get(created.id)).toEqual(created);
      expect(await store().sessions.getByName('sales')).toEqual(created);
      expect(await store().sessions.getByApiKeyHash('hash-sales')).toEqual(created);
      expect(await store().sessions.getByApiKeyHash('hash-other')).toBeNull();
      expect(await store().sessions.getByName('other')).toBeNull();
      expect(await store().sessions.get(crypto.randomUUID())).toBeNull();
    });

    it('uses the id it is given', async () => {
      const id = crypto.randomUUID();
      const created = await store().sessions.create({ id, name: 'given', settings: defaultSessionSettings });
      expect(created.id).toBe(id);
      expect(created.proxyUrl).toBeNull();
    });

    it('refuses a taken name on create and on rename', async () => {
      await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      await expectCode(newSession(store(), 'a'), 'SESSION_NAME_TAKEN');
      await expectCode(store().sessions.update(b.id, { name: 'a' }), 'SESSION_NAME_TAKEN');
      expect((await store().sessions.list()).map((s) => s.name)).toEqual(['a', 'b']);
      expect((await store().sessions.get(b.id))?.name).toBe('b');
    });

    it('lists in creation order, filtered by status', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      const c = await newSession(store(), 'c');
      await store().sessions.update(b.id, { status: 'connected' });
      await store().sessions.update(c.id, { status: 'qr' });
      expect((await store().sessions.list()).map((s) => s.id)).toEqual([a.id, b.id, c.id]);
      expect((await store().sessions.list({ status: ['connected', 'qr'] })).map((s) => s.id)).toEqual([
        b.id,
        c.id,
      ]);
      expect(await store().sessions.list({ status: ['failed'] })).toEqual([]);
    });

    it('updates only the given fields and returns the stored session', async () => {
      const s = await newSession(store(), 'upd', 'hash-1');
      const qr = { value: '2@abc', expiresAt: '2024-05-01T10:01:00.000Z' };
      const updated = await store().sessions.update(s.id, {
        status: 'qr',
        statusReason: 'scan it',
        qr,
        settings: { ...defaultSessionSettings, ignoreGroups: true },
      });
      expect(updated).toEqual({
        ...s,
        status: 'qr',
        statusReason: 'scan it',
        qr,
        settings: { ...defaultSessionSettings, ignoreGroups: true },
        updatedAt: expect.stringMatching(isoPattern),
      });
      expect(updated.updatedAt >= s.updatedAt).toBe(true);
      const connected = await store().sessions.update(s.id, {
        status: 'connected',
        qr: null,
        deviceJid: '15550001111:2@s.whatsapp.net',
        phoneNumber: '15550001111',
        pushName: 'Shop',
        apiKeyHash: 'hash-2',
      });
      expect(connected).toMatchObject({
        status: 'connected',
        statusReason: 'scan it',
        qr: null,
        deviceJid: '15550001111:2@s.whatsapp.net',
        phoneNumber: '15550001111',
        pushName: 'Shop',
        name: 'upd',
      });
      expect(await store().sessions.get(s.id)).toEqual(connected);
      expect(await store().sessions.getByApiKeyHash('hash-1')).toBeNull();
      expect((await store().sessions.getByApiKeyHash('hash-2'))?.id).toBe(s.id);
      await expectCode(store().sessions.update(crypto.randomUUID(), { status: 'qr' }), 'SESSION_NOT_FOUND');
    });

    it('deletes a session with its chats, contacts and messages', async () => {
      const gone = await newSession(store(), 'gone');
      const kept = await newSession(store(), 'kept');
      for (const s of [gone, kept]) {
        await store().chats.upsert(s.id, { chatJid: 'c@s.whatsapp.net' });
        await store().contacts.upsert(s.id, { jid: 'c@s.whatsapp.net' });
        await store().messages.insert(textMessage(s, { waid: 'W1', chatId: 'c@s.whatsapp.net' }));
      }
      expect(await store().sessions.delete(gone.id)).toBe(true);
      expect(await store().sessions.delete(gone.id)).toBe(false);
      expect(await store().sessions.get(gone.id)).toBeNull();
      expect(await store().chats.get(gone.id, 'c@s.whatsapp.net')).toBeNull();
      expect(await store().contacts.get(gone.id, 'c@s.whatsapp.net')).toBeNull();
      expect(await store().messages.getByWaid(gone.id, 'c@s.whatsapp.net', 'W1')).toBeNull();
      expect((await store().messages.list(gone.id)).items).toEqual([]);
      // the other session is untouched
      expect(await store().chats.get(kept.id, 'c@s.whatsapp.net')).not.toBeNull();
      expect(await store().contacts.get(kept.id, 'c@s.whatsapp.net')).not.toBeNull();
      expect((await store().messages.list(kept.id)).items).toHaveLength(1);
    });

    it('keeps chats, contacts and messages when asked to', async () => {
      const s = await newSession(store(), 'keep');
      await store().chats.upsert(s.id, { chatJid: 'c@s.whatsapp.net' });
      await store().contacts.upsert(s.id, { jid: 'c@s.whatsapp.net' });
      const { message } = await store().messages.insert(textMessage(s, { chatId: 'c@s.whatsapp.net' }));
      expect(await store().sessions.delete(s.id, { keepData: true })).toBe(true);
      expect(await store().sessions.get(s.id)).toBeNull();
      expect((await store().chats.get(s.id, 'c@s.whatsapp.net'))?.chatJid).toBe('c@s.whatsapp.net');
      expect((await store().contacts.get(s.id, 'c@s.whatsapp.net'))?.jid).toBe('c@s.whatsapp.net');
      expect(await store().messages.get(s.id, message.id)).toEqual(message);
    });

    it('returns copies: mutating a result does not change the store', async () => {
      const s = await newSession(store(), 'copy');
      s.settings.markRead = true;
      s.name = 'changed';
      const again = await store().sessions.get(s.id);
      expect(again?.settings.markRead).toBe(false);
      expect(again?.name).toBe('copy');
    });
  });
}
