import { GatewayError, type GatewayPlugin } from '@zapgate/core';
import type { PluginEntry } from './options.js';

/** Plugin names the server knows → their package and factory export. */
export const knownPlugins: Readonly<Record<string, { module: string; factory: string }>> = Object.freeze({
  webhooks: { module: '@zapgate/plugin-webhooks', factory: 'webhooks' },
  chatwoot: { module: '@zapgate/plugin-chatwoot', factory: 'chatwoot' },
  campaigns: { module: '@zapgate/plugin-campaigns', factory: 'campaigns' },
});

/** Imports a module by name (a seam for tests). */
export type ModuleImporter = (specifier: string) => Promise<Record<string, unknown>>;

const importModule: ModuleImporter = (specifier) => import(specifier);

/**
 * Turns the configured plugin list into plugin values by importing each known plugin's
 * package and calling its factory with the options. Unknown names and packages that are not
 * installed fail the boot, all listed at once (`PLUGIN_NOT_FOUND`).
 */
export async function loadPlugins(
  entries: readonly PluginEntry[],
  load: ModuleImporter = importModule,
): Promise<GatewayPlugin[]> {
  const problems: string[] = [];
  const plugins: GatewayPlugin[] = [];
  for (const entry of entries) {
    const known = knownPlugins[entry.name];
    if (!known) {
      problems.push(`unknown plugin "${entry.name}" (known: ${Object.keys(knownPlugins).join(', ')})`);
      continue;
    }
    try {
      const mod = await load(known.module);
      const factory = mod[known.factory] ?? mod.default;
      if (typeof factory !== 'function') {
        problems.push(`${known.module} has no "${known.factory}" factory export`);
        continue;
      }
      plugins.push((factory as (options: unknown) => GatewayPlugin)(entry.options ?? {}));
    } catch (error) {
      problems.push(
        `plugin "${entry.name}" could not be loaded from ${known.module}: ${error instanceof Error ? error.message : String(error)}`,
      );
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
