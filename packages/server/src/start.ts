import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import {
  type Connector,
  type GatewayPlugin,
  localMediaStore,
  type Migration,
  type Store,
} from '@zapgate/core';
import { ensureAdminKey } from './admin-key.js';
import { buildServer, type ZapgateServer } from './build-server.js';
import { type LogDestination, logSettings, standaloneLogger } from './logging.js';
import type { ServerConfig } from './options.js';
import { loadPlugins } from './plugins.js';
import { type QrPrinter, qrPrinter } from './qr-printer.js';
import { nodeIdOf, openStore } from './store.js';

/** Seams of {@link startServer}, for tests and custom builds. */
export interface StartServerOptions {
  /** @default the store from the config (Postgres or embedded PGlite) */
  store?: Store;
  /** @default Baileys, pointed at `waWebSocketUrl` when set */
  connector?: Connector;
  /** @default the plugins named in the config */
  plugins?: GatewayPlugin[];
  /** Directory that plugin package names in the config are resolved from. @default process.cwd() */
  cwd?: string;
  /** Where the one-time admin key notice and terminal QR codes go. @default process.stdout */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Listen on `config.port`/`config.host`. @default true */
  listen?: boolean;
  /** Where logs go; pretty when it is a terminal, JSON otherwise (see `logFormat`). @default process.stdout */
  logDestination?: LogDestination;
}

/** A started server and how to stop it. */
export interface RunningServer {
  app: ZapgateServer;
  /** Closes HTTP, stops the gateway, closes the store. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the reference server from a loaded config: data dir, admin key (generated and
 * printed once when absent), store, connector, plugins and media store (user-given URLs go through core's outgoing policy,
 * allowing `allowPrivateUrls`).
 */
export async function startServer(
  config: Readonly<ServerConfig>,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const out = options.out ?? process.stdout;
  const dataDir = path.resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  let adminKey = config.adminKey;
  if (!adminKey) {
    const ensured = await ensureAdminKey(dataDir);
    adminKey = ensured.key;
    if (ensured.generated) printAdminKeyOnce(out, ensured.key, ensured.file);
  }
  const plugins =
    options.plugins ?? (await loadPlugins(config.plugins, options.cwd ? { cwd: options.cwd } : {}));
  let knownMigrations: () => Record<string, readonly Migration[]> = () => ({});
  let store = options.store;
  if (!store) {
    const opened = openStore(config);
    store = opened.store;
    knownMigrations = opened.knownMigrations;
  }
  const logs = logSettings(config, options.logDestination);
  const connector = options.connector ?? defaultConnector(config, logs);
  const app = buildServer({
    adminKey,
    store,
    connector,
    plugins,
    mediaStore: localMediaStore({ dir: path.join(dataDir, 'media') }),
    config: {
      dataDir,
      allowPrivateUrls: [...config.allowPrivateUrls],
      allowPrivateUrlsSetting: 'ZAPGATE_ALLOW_PRIVATE_URLS',
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(config.encryptionKey ? { encryptionKey: config.encryptionKey } : {}),
    },
    logger: { ...logs.options, stream: logs.stream },
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    docs: config.docs,
    dashboard: config.dashboard,
    sseKeepAliveMs: config.sseKeepAliveMs,
    eventRetention: config.eventRetention === 'forever' ? false : config.eventRetention,
    knownMigrations,
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
    instanceId: nodeIdOf(config),
    nodeUrl: config.nodeUrl ?? `http://${hostname()}:${config.port}`,
    tuning: { cluster: { leaseMs: config.leaseMs, heartbeatMs: config.heartbeatMs } },
  });
  if (store.kind === 'memory')
    app.log.warn('running on the in-memory store: nothing is kept across restarts');
  let printer: QrPrinter | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await printer?.stop();
      await app.close();
    })();
    return closing;
  };
  try {
    if (options.listen ?? true) {
      await app.listen({ port: config.port, host: config.host });
      if (config.dashboard)
        out.write(`  Dashboard: ${localUrl(app, config.host)}/ (sign in with the admin key)\n`);
    } else await app.ready();
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  // In the foreground (a terminal) a QR can be scanned straight from the console.
  if (config.printQr ?? out.isTTY === true) {
    printer = qrPrinter({
      store,
      out,
      onError: (error) => app.log.warn({ err: error }, 'printing a QR code failed'),
    });
  }
  return { app, close };
}

/** The address to open in a browser on this machine (`0.0.0.0` and `::` listen everywhere). */
function localUrl(app: ZapgateServer, host: string): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/**
 * Baileys, loaded with the first socket rather than before the server listens (its modules are
 * a good part of a start; a server with no session to reconnect may never need them).
 */
function defaultConnector(config: Readonly<ServerConfig>, logs: ReturnType<typeof logSettings>): Connector {
  let loaded: Promise<Connector> | undefined;
  const load = async () => {
    const { baileysConnector } = await import('@zapgate/core/baileys');
    // the connector logs too (socket failures, lost events): same level, format and stream as the server
    const logger = standaloneLogger(logs).child({ component: 'whatsapp' });
    return baileysConnector({
      logger,
      ...(config.waWebSocketUrl ? { waWebSocketUrl: config.waWebSocketUrl } : {}),
    });
  };
  return {
    name: 'baileys',
    async connect(options) {
      loaded ??= load();
      return (await loaded).connect(options);
    },
  };
}

function printAdminKeyOnce(out: NodeJS.WritableStream, key: string, file: string) {
  out.write(
    [
      '',
      '  ┌─ Zapgate admin key (shown once) ─────────────────────────────',
      `  │ ${key}`,
      `  │ Kept in ${file} (mode 0600). Set ZAPGATE_ADMIN_KEY to use your own.`,
      '  └──────────────────────────────────────────────────────────────',
      '',
      '',
    ].join('\n'),
  );
}
