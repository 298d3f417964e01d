import { sqlMigration } from '@zapgate/core';

/**
 * Per-session plugin settings: one row per session and plugin, secrets already sealed by core.
 * Deleted with their session.
 */
export const pluginSettings = sqlMigration(
  '010_plugin_settings',
  [
    `CREATE TABLE "pluginSettings" (
      "sessionId" uuid NOT NULL REFERENCES "sessions" ("id") ON DELETE CASCADE,
      "pluginId" text NOT NULL,
      "settings" jsonb NOT NULL,
      "updatedAt" timestamptz NOT NULL DEFAULT clock_timestamp(),
      PRIMARY KEY ("sessionId", "pluginId")
    )`,
    `CREATE INDEX "pluginSettings_pluginId_idx" ON "pluginSettings" ("pluginId")`,
  ],
  ['DROP TABLE "pluginSettings"'],
);
