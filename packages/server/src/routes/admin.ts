import { hostname } from 'node:os';
import { type Static, Type } from '@sinclair/typebox';
import { coreVersion, Timestamp } from '@zapgate/core';
import type { RouteContext, ZapgateInstance } from '../context.js';
import { responses } from '../schemas.js';

const Applied = Type.Object({
  owner: Type.String({ description: '`core` (the store) or a plugin id' }),
  name: Type.String(),
  checksum: Type.String(),
  appliedAt: Timestamp,
});
const Pending = Type.Object({ owner: Type.String(), name: Type.String(), checksum: Type.String() });
const MigrationReport = Type.Object({ applied: Type.Array(Applied), pending: Type.Array(Pending) });
export type MigrationReport = Static<typeof MigrationReport>;
const ServerInfo = Type.Object({
  version: Type.String({ description: 'Version of @zapgate/core' }),
  node: Type.Object(
    {
      hostname: Type.String(),
      pid: Type.Integer(),
      startedAt: Timestamp,
      runtime: Type.String({ description: 'Node.js version', examples: ['v20.19.0'] }),
    },
    { description: 'The node that answered' },
  ),
  store: Type.String({ description: '`postgres`, `pglite` or `memory`' }),
  plugins: Type.Array(Type.Object({ id: Type.String(), version: Type.String() })),
});
const startedAt = new Date().toISOString();

/** Admin-only operations. */
export function adminRoutes(app: ZapgateInstance, ctx: RouteContext) {
  app.get(
    '/admin/migrations',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'listMigrations',
        summary: 'List migrations',
        description: "Applied and pending migrations of the store and every plugin's tables.",
        tags: ['admin'],
        response: responses({ 200: MigrationReport }),
      },
    },
    async () => migrationReport(ctx),
  );

  app.get(
    '/admin/server',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'getServerInfo',
        summary: 'Server information',
        description: 'Version, the answering node, the store and the installed plugins.',
        tags: ['admin'],
        response: responses({ 200: ServerInfo }),
      },
    },
    async () => ({
      version: coreVersion,
      node: { hostname: hostname(), pid: process.pid, startedAt, runtime: process.version },
      store: ctx.gateway.store.kind,
      plugins: ctx.gateway.plugins.map(({ plugin }) => ({ id: plugin.id, version: plugin.version })),
    }),
  );
}

/** Applied and pending migrations for the store's own lists and every plugin's. */
export async function migrationReport(ctx: RouteContext): Promise<MigrationReport> {
  const known = { ...ctx.knownMigrations() };
  for (const { plugin } of ctx.gateway.plugins)
    if (plugin.migrations?.length) known[plugin.id] = plugin.migrations;
  const states = await ctx.gateway.store.migrationStatus(known);
  return {
    applied: states.flatMap((s) =>
      s.appliedAt ? [{ owner: s.owner, name: s.name, checksum: s.checksum, appliedAt: s.appliedAt }] : [],
    ),
    pending: states
      .filter((s) => !s.appliedAt)
      .map(({ owner, name, checksum }) => ({ owner, name, checksum })),
  };
}
