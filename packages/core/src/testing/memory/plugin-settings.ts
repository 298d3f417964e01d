import type { PluginSettingsRepo } from '../../ports/store.js';
import { copy, key, type Views } from './state.js';

/** Per-session plugin settings over one unit of work. */
export function pluginSettingsRepo(views: Views): PluginSettingsRepo {
  return {
    get: async (sessionId, pluginId) => copy(views.pluginSettings.get(key(sessionId, pluginId)) ?? null),
    list: async (pluginId) =>
      copy(
        views.pluginSettings
          .values()
          .filter((row) => row.pluginId === pluginId)
          .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0)),
      ),
    async put(sessionId, pluginId, settings) {
      const row = { sessionId, pluginId, settings: copy(settings), updatedAt: new Date().toISOString() };
      views.pluginSettings.set(key(sessionId, pluginId), row);
      return copy(row);
    },
    delete: async (sessionId, pluginId) => views.pluginSettings.delete(key(sessionId, pluginId)),
  };
}
