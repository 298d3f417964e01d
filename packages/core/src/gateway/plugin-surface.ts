import type { TSchema } from '@sinclair/typebox';
import { coreEventSchemas } from '../contracts/events.js';
import type { ResolvedPlugin } from '../plugin/resolve.js';
import type { PluginContext, PluginRoute } from '../plugin/types.js';
import type { PluginContexts } from './plugin-contexts.js';

/** A plugin route with the context its handler runs in. */
export interface MountedRoute {
  pluginId: string;
  route: PluginRoute;
  ctx: PluginContext;
}

/** Every plugin route, for the host to mount (core never mounts anything itself). */
export function mountedRoutes(resolved: readonly ResolvedPlugin[], contexts: PluginContexts): MountedRoute[] {
  return resolved.flatMap(({ plugin }) =>
    (plugin.routes ?? []).map((route) => ({
      pluginId: plugin.id,
      route: route as PluginRoute,
      ctx: contexts.get(plugin.id),
    })),
  );
}

/** Event type → payload schema: core's and every plugin's (for the host's documentation). */
export function allEventSchemas(resolved: readonly ResolvedPlugin[]): Record<string, TSchema> {
  const schemas: Record<string, TSchema> = { ...coreEventSchemas };
  for (const { plugin } of resolved) Object.assign(schemas, plugin.eventSchemas);
  return schemas;
}
