import type { ServerConfig } from './options.js';

/** Options of `zapgate migrate`. */
export interface MigrateCommandOptions {
  /** Owner whose migrations `down` reverts. @default 'core' */
  owner?: string;
  /** How many migrations `down` reverts. @default 1 */
  steps?: number;
  /** Print JSON instead of a table. @default false */
  json?: boolean;
  out?: NodeJS.WritableStream;
}

/** `zapgate migrate status|down`. Returns the exit code. */
export async function runMigrateCommand(
  config: Readonly<ServerConfig>,
  command: 'status' | 'down',
  options: MigrateCommandOptions = {},
): Promise<number> {
  const out = options.out ?? process.stdout;
  void config;
  out.write(`migrate ${command}: the Postgres store is not available yet\n`);
  return 1;
}
