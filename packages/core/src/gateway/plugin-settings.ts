import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SecretBox } from '../crypto/secret-box.js';
import { GatewayError } from '../errors.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { Store, StoredPluginSettings } from '../ports/store.js';
import type { PluginInfo, PluginSettingsApi, PluginSettingsView } from './api.js';
import { appendEvent } from './event-writer.js';
import type { SessionAccess } from './session-access.js';

/** Key derivation purpose of sealed plugin settings (changing it makes them unreadable). */
const purpose = 'zapgate:plugin-settings';

/** The names of a settings schema's secret fields (`writeOnly: true`). */
export function secretFields(schema: TObject): string[] {
  return Object.entries(schema.properties)
    .filter(([, field]) => (field as TSchema).writeOnly === true)
    .map(([name]) => name);
}

/**
 * Checks each plugin's `sessionSettingsSchema` at boot: an object schema whose secret fields
 * are strings (they are sealed as text). Every problem is listed at once.
 */
export function checkSettingsSchemas(resolved: readonly ResolvedPlugin[]): void {
  const problems: string[] = [];
  for (const { plugin } of resolved) {
    const schema = plugin.sessionSettingsSchema;
    if (!schema) continue;
    if (schema.type !== 'object' || typeof schema.properties !== 'object') {
      problems.push(`plugin "${plugin.id}": sessionSettingsSchema must be a Type.Object`);
      continue;
    }
    for (const name of secretFields(schema)) {
      if ((schema.properties[name] as TSchema).type !== 'string')
        problems.push(`plugin "${plugin.id}": secret setting "${name}" (writeOnly) must be a string`);
    }
  }
  if (problems.length > 0) {
    throw new GatewayError('PLUGIN_INVALID_DEFINITION', problems.join('; '), { details: problems });
  }
}

/** Settings of every plugin and session: validated, secrets sealed at rest. */
export interface PluginSettingsService extends PluginSettingsApi {
  /** A plugin's settings of a session with secrets in clear (for its `ctx.settings`). */
  read(pluginId: string, sessionId: string): Promise<Record<string, unknown> | undefined>;
  /** Every session's settings of a plugin, secrets in clear. */
  readAll(pluginId: string): Promise<Array<{ sessionId: string; settings: Record<string, unknown> }>>;
}

interface Deps {
  resolved: readonly ResolvedPlugin[];
  store: Store;
  access: SessionAccess;
  encryptionKey: string | undefined;
}

/** Builds the settings service (see {@link PluginSettingsService}). */
export function createPluginSettings({
  resolved,
  store,
  access,
  encryptionKey,
}: Deps): PluginSettingsService {
  checkSettingsSchemas(resolved);
  const box = new SecretBox(encryptionKey, { purpose });
  const plugins = new Map(resolved.map(({ plugin }) => [plugin.id, plugin]));

  const schemaOf = (pluginId: string): TObject => {
    const plugin = plugins.get(pluginId);
    if (!plugin) throw new GatewayError('PLUGIN_NOT_FOUND', `Plugin "${pluginId}" is not installed`);
    if (!plugin.sessionSettingsSchema)
      throw new GatewayError('PLUGIN_HAS_NO_SETTINGS', `Plugin "${pluginId}" has no per-session settings`);
    return plugin.sessionSettingsSchema;
  };

  /** Stored → clear: secrets opened, defaults of fields added since applied. */
  const open = (schema: TObject, stored: Record<string, unknown>): Record<string, unknown> => {
    const settings = { ...stored };
    for (const name of secretFields(schema)) {
      const value = settings[name];
      if (typeof value === 'string') settings[name] = box.open(value);
    }
    return Value.Default(schema, settings) as Record<string, unknown>;
  };

  /** Stored → what callers see: secrets `null`, named in `secretsSet`. */
  const view = (
    pluginId: string,
    sessionId: string,
    schema: TObject,
    row: StoredPluginSettings | null,
  ): PluginSettingsView => {
    if (!row) return { pluginId, sessionId, settings: null, secretsSet: [], updatedAt: null };
    const settings = Value.Default(schema, { ...row.settings }) as Record<string, unknown>;
    const secretsSet: string[] = [];
    for (const name of secretFields(schema)) {
      if (typeof row.settings[name] === 'string') secretsSet.push(name);
      if (name in settings) settings[name] = null;
    }
    return { pluginId, sessionId, settings, secretsSet, updatedAt: row.updatedAt };
  };

  return {
    plugins(): PluginInfo[] {
      return resolved.map(({ plugin }) => ({
        id: plugin.id,
        version: plugin.version,
        dependencies: { ...plugin.dependencies },
        events: Object.keys(plugin.eventSchemas ?? {}),
        sessionSettingsSchema: plugin.sessionSettingsSchema
          ? (JSON.parse(JSON.stringify(plugin.sessionSettingsSchema)) as Record<string, unknown>)
          : null,
      }));
    },

    async get(sessionId, pluginId) {
      const schema = schemaOf(pluginId);
      await access.requireSession(sessionId);
      return view(pluginId, sessionId, schema, await store.pluginSettings.get(sessionId, pluginId));
    },

    async put(sessionId, pluginId, given) {
      const schema = schemaOf(pluginId);
      await access.requireSession(sessionId);
      const secrets = secretFields(schema);
      return store.transaction(async (tx) => {
        const stored = await tx.pluginSettings.get(sessionId, pluginId);
        const input: Record<string, unknown> = { ...given };
        // a secret left out (or `null`, as GET shows it) keeps the stored one
        for (const name of secrets) {
          if (input[name] === undefined || input[name] === null) {
            const kept = stored?.settings[name];
            if (typeof kept === 'string') input[name] = box.open(kept);
            else delete input[name];
          }
        }
        const settings = Value.Default(schema, Value.Clone(input)) as Record<string, unknown>;
        const problems = [
          ...Object.keys(settings)
            .filter((name) => !Object.hasOwn(schema.properties, name))
            .map((name) => ({ path: `/${name}`, message: 'Unknown setting' })),
          ...[...Value.Errors(Type.Object(schema.properties, { additionalProperties: true }), settings)].map(
            (e) => ({ path: e.path, message: e.message }),
          ),
        ];
        if (problems.length > 0) {
          throw new GatewayError(
            'VALIDATION_FAILED',
            `Invalid settings of plugin "${pluginId}": ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
            { details: problems },
          );
        }
        for (const name of secrets) {
          if (typeof settings[name] === 'string') settings[name] = box.seal(settings[name]);
        }
        const row = await tx.pluginSettings.put(sessionId, pluginId, settings);
        await appendEvent(tx, 'plugin.settings.updated', sessionId, { pluginId });
        return view(pluginId, sessionId, schema, row);
      });
    },

    async delete(sessionId, pluginId) {
      schemaOf(pluginId);
      await access.requireSession(sessionId);
      await store.transaction(async (tx) => {
        if (await tx.pluginSettings.delete(sessionId, pluginId))
          await appendEvent(tx, 'plugin.settings.updated', sessionId, { pluginId });
      });
    },

    async read(pluginId, sessionId) {
      const schema = schemaOf(pluginId);
      const row = await store.pluginSettings.get(sessionId, pluginId);
      return row ? open(schema, row.settings) : undefined;
    },

    async readAll(pluginId) {
      const schema = schemaOf(pluginId);
      const rows = await store.pluginSettings.list(pluginId);
      return rows.map((row) => ({ sessionId: row.sessionId, settings: open(schema, row.settings) }));
    },
  };
}
