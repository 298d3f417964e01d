import type { PluginSettingsRepo, StoredPluginSettings } from '@zapgate/core';
import type { Knex } from 'knex';
import { rawRows } from '../sql-client.js';
import { iso, isUuid, json } from './convert.js';

interface Row {
  sessionId: string;
  pluginId: string;
  settings: Record<string, unknown>;
  updatedAt: Date | string;
}

const toSettings = (row: Row): StoredPluginSettings => ({
  sessionId: row.sessionId,
  pluginId: row.pluginId,
  settings: row.settings,
  updatedAt: iso(row.updatedAt),
});

/** Per-session plugin settings on `db` (the pool or a transaction). */
export function pluginSettingsRepo(db: Knex): PluginSettingsRepo {
  return {
    async get(sessionId, pluginId) {
      if (!isUuid(sessionId)) return null;
      const rows = await rawRows<Row>(
        db,
        `SELECT * FROM "pluginSettings" WHERE "sessionId" = ? AND "pluginId" = ?`,
        [sessionId, pluginId],
      );
      return rows[0] ? toSettings(rows[0]) : null;
    },
    async list(pluginId) {
      const rows = await rawRows<Row>(
        db,
        `SELECT * FROM "pluginSettings" WHERE "pluginId" = ? ORDER BY "sessionId"`,
        [pluginId],
      );
      return rows.map(toSettings);
    },
    async put(sessionId, pluginId, settings) {
      const rows = await rawRows<Row>(
        db,
        `INSERT INTO "pluginSettings" ("sessionId", "pluginId", "settings") VALUES (?, ?, ?::jsonb)
         ON CONFLICT ("sessionId", "pluginId")
           DO UPDATE SET "settings" = EXCLUDED."settings", "updatedAt" = clock_timestamp()
         RETURNING *`,
        [sessionId, pluginId, json(settings)],
      );
      return toSettings(rows[0] as Row);
    },
    async delete(sessionId, pluginId) {
      if (!isUuid(sessionId)) return false;
      const rows = await rawRows<Row>(
        db,
        `DELETE FROM "pluginSettings" WHERE "sessionId" = ? AND "pluginId" = ? RETURNING "pluginId"`,
        [sessionId, pluginId],
      );
      return rows.length > 0;
    },
  };
}
