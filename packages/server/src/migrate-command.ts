import { coreMigrations, coreOwner } from '@zapgate/store-postgres';
import type { ServerConfig } from './options.js';
import { loadPlugins } from './plugins.js';
import { openStore } from './store.js';

/** Options of `zapgate migrate`. */
export interface MigrateCommandOptions {
  /** Owner whose migrations `down` reverts: `core` or a plugin id. @default 'core' */
  owner?: string;
  /** How many migrations `down` reverts. @default 1 */
  steps?: number;
  /** Print JSON instead of a table. @default false */
  json?: boolean;
  /** @default process.stdout */
  out?: NodeJS.WritableStream;
}

/** `zapgate migrate status|down` on the configured store. Returns the exit code. */
export async function runMigrateCommand(
  config: Readonly<ServerConfig>,
  command: 'status' | 'down',
  options: MigrateCommandOptions = {},
): Promise<number> {
  const out = options.out ?? process.stdout;
  const plugins = await loadPlugins(config.plugins);
  const lists = Object.fromEntries(
    plugins.filter((p) => p.migrations?.length).map((p) => [p.id, p.migrations ?? []]),
  );
  const { store } = openStore(config);
  try {
    if (command === 'status') {
      const states = await store.migrationStatus({ [coreOwner]: coreMigrations, ...lists });
      if (options.json) out.write(`${JSON.stringify(states, null, 2)}\n`);
      else
        for (const s of states)
          out.write(
            `${(s.appliedAt ?? 'pending').padEnd(26)} ${s.owner.padEnd(12)} ${s.name}  ${s.checksum.slice(0, 12)}\n`,
          );
      return 0;
    }
    const owner = options.owner ?? coreOwner;
    const list = owner === coreOwner ? coreMigrations : lists[owner];
    if (!list) {
      out.write(
        `Unknown migration owner "${owner}" (known: ${[coreOwner, ...Object.keys(lists)].join(', ')})\n`,
      );
      return 1;
    }
    const reverted = await store.migrateDown(owner, list, { steps: options.steps ?? 1 });
    out.write(
      reverted.length ? `Reverted ${owner}: ${reverted.join(', ')}\n` : `Nothing to revert for ${owner}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
