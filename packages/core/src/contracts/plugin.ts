import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from './common.js';

/** An installed plugin, as `GET /v1/plugins` describes it. */
export const PluginInfo = Type.Object({
  id: Type.String(),
  version: Type.String(),
  dependencies: Type.Record(Type.String(), Type.String(), { description: 'Plugin id → semver range' }),
  events: Type.Array(Type.String(), { description: 'Event types the plugin emits' }),
  sessionSettingsSchema: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'JSON Schema of the per-session settings (fields with `writeOnly: true` are secrets); null when the plugin has none',
    }),
  ),
});
export type PluginInfo = Static<typeof PluginInfo>;

/** A plugin's settings of one session as callers see them: secrets never in clear. */
export const PluginSettingsView = Type.Object({
  pluginId: Type.String(),
  sessionId: Type.String({ format: 'uuid' }),
  settings: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'The settings with defaults; secret fields are `null`. `null` when never set',
    }),
  ),
  secretsSet: Type.Array(Type.String(), { description: 'Secret fields that have a stored value' }),
  updatedAt: Nullable(Timestamp),
});
export type PluginSettingsView = Static<typeof PluginSettingsView>;
