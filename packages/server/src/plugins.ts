import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { GatewayError, type GatewayPlugin } from '@zapgate/core';
import { resolve as resolveModule } from 'import-meta-resolve';
import type { PluginEntry } from './options.js';

/** Plugin names the server knows → their package and factory export. */
export const knownPlugins: Readonly<Record<string, { module: string; factory: string }>> = Object.freeze({
  webhooks: { module: '@zapgate/plugin-webhooks', factory: 'webhooks' },
  chatwoot: { module: '@zapgate/plugin-chatwoot', factory: 'chatwoot' },
  campaigns: { module: '@zapgate/plugin-campaigns', factory: 'campaigns' },
});

/** Imports a module by specifier or file URL (a seam for tests). */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

/** Options of {@link loadPlugins}. */
export interface LoadPluginsOptions {
  /** Directory that package names (`@acme/zapgate-plugin-x`) are resolved from. @default process.cwd() */
  cwd?: string;
  /** How modules are imported. @default dynamic `import()` */
  importer?: ModuleImporter;
}

// the built-in packages by literal name, so the CLI's bundle carries them (and one copy of core)
const builtInModules: Readonly<Record<string, () => Promise<Record<string, unknown>>>> = {
  '@zapgate/plugin-webhooks': () => import('@zapgate/plugin-webhooks'),
  '@zapgate/plugin-chatwoot': () => import('@zapgate/plugin-chatwoot'),
  '@zapgate/plugin-campaigns': () => import('@zapgate/plugin-campaigns'),
};

const importModule: ModuleImporter = (specifier) => builtInModules[specifier]?.() ?? import(specifier);

// an npm package name, scoped or not (no paths, no versions)
const packageName = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Where an entry's plugin comes from: a built-in's package and factory, or a package installed by the user. */
function locate(
  name: string,
  cwd: string,
): { specifier: string; factory: string | null; from: string } | { problem: string } {
  const known = knownPlugins[name];
  if (known) return { specifier: known.module, factory: known.factory, from: known.module };
  const builtIn = Object.keys(knownPlugins).join(', ');
  if (!packageName.test(name))
    return {
      problem: `unknown plugin "${name}" (built in: ${builtIn}; or the name of an installed package)`,
    };
  try {
    // resolved like `import` from a module in the working directory: its node_modules and up
    const url = resolveModule(name, pathToFileURL(path.join(path.resolve(cwd), 'zapgate-plugins.js')).href);
    return { specifier: url, factory: null, from: name };
  } catch (error) {
    return {
      problem: `plugin "${name}" is neither built in (${builtIn}) nor an installed package resolvable from ${path.resolve(cwd)}: ${messageOf(error)}`,
    };
  }
}

/** The factory a module exports: a built-in's named export, a package's `default` (or `plugin`) export. */
function factoryOf(mod: Record<string, unknown>, factory: string | null): unknown {
  return factory ? (mod[factory] ?? mod.default) : (mod.default ?? mod.plugin);
}

/**
 * Turns the configured plugin list into plugin values. A name is a built-in plugin
 * (`webhooks`, `chatwoot`, `campaigns`: its package's named factory) or the name of an
 * installed package (`@acme/zapgate-plugin-x`, resolved from `cwd` as `import` would: its
 * default export, or an export named `plugin`, must be a factory taking the options and
 * returning the plugin). Unknown names, packages that are not installed or do not load, and
 * factories that return no plugin fail the boot, all listed at once (`PLUGIN_NOT_FOUND`).
 */
export async function loadPlugins(
  entries: readonly PluginEntry[],
  options: LoadPluginsOptions = {},
): Promise<GatewayPlugin[]> {
  const { cwd = process.cwd(), importer = importModule } = options;
  const problems: string[] = [];
  const plugins: GatewayPlugin[] = [];
  for (const entry of entries) {
    const located = locate(entry.name, cwd);
    if ('problem' in located) {
      problems.push(located.problem);
      continue;
    }
    try {
      const factory = factoryOf(await importer(located.specifier), located.factory);
      if (typeof factory !== 'function') {
        problems.push(
          `${located.from} has no plugin factory export (${located.factory ? `"${located.factory}"` : '`default` or `plugin`'})`,
        );
        continue;
      }
      const plugin: unknown = factory(entry.options ?? {});
      if (!plugin || typeof plugin !== 'object' || typeof (plugin as GatewayPlugin).id !== 'string') {
        problems.push(`the factory of ${located.from} returned no plugin (an object with an id)`);
        continue;
      }
      plugins.push(plugin as GatewayPlugin);
    } catch (error) {
      problems.push(`plugin "${entry.name}" could not be loaded from ${located.from}: ${messageOf(error)}`);
    }
  }
  if (problems.length > 0) {
    throw new GatewayError(
      'PLUGIN_NOT_FOUND',
      `Plugins could not be loaded:\n  - ${problems.join('\n  - ')}`,
      {
        details: problems,
      },
    );
  }
  return plugins;
}
