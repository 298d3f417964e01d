import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import semver from 'semver';
import { GatewayError } from '../errors.js';
import { coreVersion } from '../version.js';
import { registerFormats } from './formats.js';
import type { GatewayPlugin } from './types.js';

/** A plugin checked and ready: options validated and frozen. */
export interface ResolvedPlugin {
  plugin: GatewayPlugin;
  options: unknown;
}

const idPattern = /^[a-z][a-z0-9-]*$/;

registerFormats();

/**
 * Checks a plugin list and orders it so dependencies come first. Every problem of a kind is
 * reported in one {@link GatewayError} (`details` lists them), so a misconfigured host is
 * fixed in one round.
 */
export function resolvePlugins(plugins: readonly GatewayPlugin[]): ResolvedPlugin[] {
  const byId = new Map<string, GatewayPlugin>();
  const definitionProblems: string[] = [];
  for (const plugin of plugins) {
    if (!idPattern.test(plugin.id ?? ''))
      definitionProblems.push(`plugin id "${plugin.id}" must be lower-kebab-case`);
    if (!semver.valid(plugin.version ?? ''))
      definitionProblems.push(`plugin "${plugin.id}": version "${plugin.version}" is not semver`);
    if (byId.has(plugin.id)) {
      throw new GatewayError('PLUGIN_DUPLICATE_ID', `Plugin "${plugin.id}" is registered twice`);
    }
    byId.set(plugin.id, plugin);
  }
  if (definitionProblems.length > 0) {
    throw new GatewayError('PLUGIN_INVALID_DEFINITION', definitionProblems.join('; '), {
      details: definitionProblems,
    });
  }

  const missing: string[] = [];
  const incompatible: string[] = [];
  for (const plugin of plugins) {
    if (
      plugin.coreVersion &&
      !semver.satisfies(coreVersion, plugin.coreVersion, { includePrerelease: true })
    ) {
      incompatible.push(
        `plugin "${plugin.id}" needs @zapgate/core ${plugin.coreVersion}, running ${coreVersion}`,
      );
    }
    for (const [depId, range] of Object.entries(plugin.dependencies ?? {})) {
      const dep = byId.get(depId);
      if (!dep)
        missing.push(`plugin "${plugin.id}" depends on "${depId}" (${range}), which is not registered`);
      else if (!semver.satisfies(dep.version, range, { includePrerelease: true })) {
        incompatible.push(`plugin "${plugin.id}" needs "${depId}" ${range}, registered ${dep.version}`);
      }
    }
  }
  if (missing.length > 0) {
    throw new GatewayError('PLUGIN_MISSING_DEPENDENCY', missing.join('; '), { details: missing });
  }
  if (incompatible.length > 0) {
    throw new GatewayError('PLUGIN_INCOMPATIBLE_VERSION', incompatible.join('; '), { details: incompatible });
  }

  const ordered = topologicalOrder(plugins, byId);

  const optionProblems: { plugin: string; path: string; message: string }[] = [];
  const resolved = ordered.map((plugin) => {
    const options = plugin.optionsSchema
      ? validateOptions(plugin.id, plugin.optionsSchema, plugin.options, optionProblems)
      : {};
    return { plugin, options };
  });
  if (optionProblems.length > 0) {
    const text = optionProblems.map((p) => `${p.plugin}${p.path || '/'}: ${p.message}`).join('; ');
    throw new GatewayError('PLUGIN_INVALID_OPTIONS', `Invalid plugin options: ${text}`, {
      details: optionProblems,
    });
  }
  return resolved;
}

function validateOptions(
  pluginId: string,
  schema: TSchema,
  given: unknown,
  problems: { plugin: string; path: string; message: string }[],
): unknown {
  const value = Value.Default(schema, structuredClone(given ?? {}));
  for (const error of Value.Errors(schema, value)) {
    problems.push({ plugin: pluginId, path: error.path, message: error.message });
  }
  return deepFreeze(value);
}

function topologicalOrder(
  plugins: readonly GatewayPlugin[],
  byId: Map<string, GatewayPlugin>,
): GatewayPlugin[] {
  const ordered: GatewayPlugin[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (plugin: GatewayPlugin, path: string[]) => {
    const seen = state.get(plugin.id);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new GatewayError(
        'PLUGIN_DEPENDENCY_CYCLE',
        `Plugin dependency cycle: ${[...path, plugin.id].join(' → ')}`,
      );
    }
    state.set(plugin.id, 'visiting');
    for (const depId of Object.keys(plugin.dependencies ?? {})) visit(byId.get(depId)!, [...path, plugin.id]);
    state.set(plugin.id, 'done');
    ordered.push(plugin);
  };
  for (const plugin of plugins) visit(plugin, []);
  return ordered;
}

/** Freezes an object graph (options are read-only once validated). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
