import { Type } from '@sinclair/typebox';
import { PluginInfo, PluginSettingsView } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { NoContent, responses } from '../schemas.js';

const tags = ['plugins'];
const Params = Type.Object({
  sessionId: Type.String({ format: 'uuid', description: 'Session id' }),
  pluginId: Type.String({ pattern: '^[a-z][a-z0-9-]*$', description: 'Plugin id' }),
});
const SettingsBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      "The plugin's settings, checked against its `sessionSettingsSchema` (every problem listed). A secret left out or `null` keeps its stored value.",
  },
);

/** Installed plugins and their per-session settings (validated by core, secrets sealed). */
export function pluginSettingsRoutes(app: ZapgateInstance, { gateway }: RouteContext) {
  app.get(
    '/plugins',
    {
      config: { auth: 'authenticated' },
      schema: {
        operationId: 'listPlugins',
        summary: 'List installed plugins',
        description:
          'Every installed plugin in dependency order, with the JSON Schema of its per-session settings (`writeOnly` fields are secrets).',
        tags,
        response: responses({ 200: Type.Object({ items: Type.Array(PluginInfo) }) }),
      },
    },
    async () => ({ items: gateway.pluginSettings.plugins() }),
  );

  app.get(
    '/sessions/:sessionId/plugins/:pluginId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'getPluginSettings',
        summary: "Get a plugin's settings of a session",
        description:
          'Secret fields are `null` and named in `secretsSet` when they have a value; `settings` is `null` when never set.',
        tags,
        params: Params,
        response: responses({ 200: PluginSettingsView }, [404]),
      },
    },
    async (request) => gateway.pluginSettings.get(request.params.sessionId, request.params.pluginId),
  );

  app.put(
    '/sessions/:sessionId/plugins/:pluginId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'putPluginSettings',
        summary: "Set a plugin's settings of a session",
        description:
          'Replaces the settings (defaults applied, unknown fields refused); secrets are sealed at rest. The plugin receives `plugin.settings.updated`.',
        tags,
        params: Params,
        body: SettingsBody,
        response: responses({ 200: PluginSettingsView }, [400, 404]),
      },
    },
    async (request) =>
      gateway.pluginSettings.put(
        request.params.sessionId,
        request.params.pluginId,
        request.body as Record<string, unknown>,
      ),
  );

  app.delete(
    '/sessions/:sessionId/plugins/:pluginId',
    {
      config: { auth: 'session' },
      schema: {
        operationId: 'deletePluginSettings',
        summary: "Delete a plugin's settings of a session",
        description: 'The plugin receives `plugin.settings.updated` when there were settings.',
        tags,
        params: Params,
        response: responses({ 204: NoContent }, [404]),
      },
    },
    async (request, reply) => {
      await gateway.pluginSettings.delete(request.params.sessionId, request.params.pluginId);
      return reply.status(204).send();
    },
  );
}
