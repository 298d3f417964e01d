#!/usr/bin/env node
// first: no module may load with Object.prototype.__proto__ (like --disable-proto=delete)
import './harden.js';
import { parseArgs } from 'node:util';
import { isGatewayError } from '@zapgate/core';
import { runMigrateCommand } from './migrate-command.js';
import { loadConfig, type ServerConfig } from './options.js';
import { installProcessGuard } from './process-guard.js';
import { startServer } from './start.js';

const usage = `Usage: zapgate <command> [options]

Commands:
  start                     Start the server (config from the environment and --config)
  migrate status            List applied and pending migrations
  migrate down [--owner core] [--steps 1]
                            Revert the last migrations of an owner (explicit only)
  help                      Show this help

Options:
  --config <file>           JSON config file (also ZAPGATE_CONFIG)
  --port <n>                Override PORT
  --host <host>             Override HOST
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      owner: { type: 'string' },
      steps: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(usage);
    return command || values.help ? 0 : 1;
  }
  const overrides: Record<string, unknown> = {};
  if (values.port) overrides.port = Number(values.port);
  if (values.host) overrides.host = values.host;
  const config = loadConfig({
    ...(values.config ? { file: values.config } : {}),
    overrides: overrides as Partial<ServerConfig>,
  });

  if (command === 'start') {
    const { app, close } = await startServer(config);
    installProcessGuard(app.log);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        app.log.error('shutdown took longer than 30s; exiting');
        process.exit(1);
      }, 30_000);
      force.unref();
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    return -1; // keep running
  }
  if (command === 'migrate' && (sub === 'status' || sub === 'down')) {
    return runMigrateCommand(config, sub, {
      ...(values.owner ? { owner: values.owner } : {}),
      ...(values.steps ? { steps: Number(values.steps) } : {}),
      json: values.json ?? false,
    });
  }
  process.stderr.write(`Unknown command: ${positionals.join(' ')}\n\n${usage}`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    const message = isGatewayError(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.stack
        : String(error);
    process.stderr.write(`zapgate: ${message}\n`);
    process.exitCode = 1;
  },
);
