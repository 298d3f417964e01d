import { describe, expect, it } from 'vitest';
import type { Store } from '../../ports/store.js';
import { isoPattern, newSession } from './fixtures.js';

export function pluginSettingsTests(store: () => Store): void {
  describe('plugin settings', () => {
    it('puts, replaces, lists by plugin and deletes per session', async () => {
      const a = await newSession(store(), 'a');
      const b = await newSession(store(), 'b');
      const put = await store().pluginSettings.put(a.id, 'chatwoot', {
        url: 'https://x',
        token: 'enc:v1:zz',
      });
      expect(put).toEqual({
        sessionId: a.id,
        pluginId: 'chatwoot',
        settings: { url: 'https://x', token: 'enc:v1:zz' },
        updatedAt: expect.stringMatching(isoPattern),
      });
      await store().pluginSettings.put(a.id, 'chatwoot', { url: 'https://y' });
      await store().pluginSettings.put(b.id, 'chatwoot', { url: 'https://b' });
      await store().pluginSettings.put(a.id, 'campaigns', { cap: 5 });

      expect((await store().pluginSettings.get(a.id, 'chatwoot'))?.settings).toEqual({ url: 'https://y' });
      expect(await store().pluginSettings.get(a.id, 'webhooks')).toBeNull();
      expect(await store().pluginSettings.get('not-a-uuid', 'chatwoot')).toBeNull();
      const listed = await store().pluginSettings.list('chatwoot');
      expect(listed.map((r) => [r.sessionId, r.settings])).toEqual(
        [
          [a.id, { url: 'https://y' }],
          [b.id, { url: 'https://b' }],
        ].sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
      );

      expect(await store().pluginSettings.delete(a.id, 'chatwoot')).toBe(true);
      expect(await store().pluginSettings.delete(a.id, 'chatwoot')).toBe(false);
      expect(await store().pluginSettings.get(a.id, 'chatwoot')).toBeNull();
    });

    it('are deleted with their session (also when its data is kept) and rolled back with a transaction', async () => {
      const s = await newSession(store(), 's');
      await store().pluginSettings.put(s.id, 'chatwoot', { url: 'https://x' });
      await expect(
        store().transaction(async (tx) => {
          await tx.pluginSettings.put(s.id, 'campaigns', { cap: 1 });
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await store().pluginSettings.get(s.id, 'campaigns')).toBeNull();
      await store().sessions.delete(s.id, { keepData: true });
      expect(await store().pluginSettings.list('chatwoot')).toEqual([]);
    });
  });
}
