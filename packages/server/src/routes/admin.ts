import { type Static, Type } from '@sinclair/typebox';
import { Timestamp } from '@zapgate/core';
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
