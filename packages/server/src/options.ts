import { readFileSync } from 'node:fs';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { deepFreeze, GatewayError } from '@zapgate/core';

const LogLevel = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ],
  { default: 'info', description: '`fatal error warn info debug trace silent`' },
);

/** One entry of the plugin list: a known plugin name and its options. */
export const PluginEntry = Type.Object(
  {
    /**
     * A built-in plugin (`webhooks`, `chatwoot`, `campaigns`) or the name of an installed package
     * (`@acme/zapgate-plugin-x`, resolved from the working directory) whose default export is the
     * plugin's factory.
     */
    name: Type.String({ minLength: 1 }),
    /** The plugin's options, validated by the plugin itself. @default {} */
    options: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
  },
  { additionalProperties: false },
);
export type PluginEntry = Static<typeof PluginEntry>;

/**
 * The server's configuration. Every field can come from the environment (see
 * {@link configEnv}) or a JSON file (`ZAPGATE_CONFIG` / `--config`, camelCase keys);
 * the environment wins over the file, the file over the defaults.
 */
export const ServerConfig = Type.Object(
  {
    /** TCP port to listen on. @default 3000 */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 3000, description: 'TCP port' }),
    /** Interface to listen on. @default '0.0.0.0' */
    host: Type.String({ minLength: 1, default: '0.0.0.0', description: 'interface to listen on' }),
    /** Key that reaches everything. @default generated once and kept in `<dataDir>/admin-key` */
    adminKey: Type.Optional(
      Type.String({
        minLength: 16,
        description: 'the key that reaches everything (16+ characters)',
        defaultText: 'generated, kept in `<dataDir>/admin-key`',
      }),
    ),
    /** PostgreSQL URL. @default none: embedded PGlite under `<dataDir>/pglite` */
    databaseUrl: Type.Optional(
      Type.String({
        pattern: '^postgres(ql)?://',
        description: '`postgres://…` to run on PostgreSQL',
        defaultText: 'embedded PGlite in `<dataDir>/pglite`',
      }),
    ),
    /** Size of the database connection pool. @default the store's default (10) */
    databasePoolSize: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'connection pool size',
        defaultText: "the store's (10)",
      }),
    ),
    /** Directory for the embedded database, media and the generated admin key. @default './data' */
    dataDir: Type.String({
      minLength: 1,
      default: './data',
      description: 'embedded database, media files, admin key',
    }),
    /** pino log level. @default 'info' */
    logLevel: LogLevel,
    /** Log format: `pretty` (human-readable) or `json`. @default `pretty` when stdout is a TTY, else `json` */
    logFormat: Type.Optional(
      Type.Union([Type.Literal('pretty'), Type.Literal('json')], {
        description: '`pretty` (human-readable) or `json` (one object a line)',
        defaultText: '`pretty` when stdout is a terminal, else `json`',
      }),
    ),
    /**
     * Plugins to load, with their options; `[]` (or `ZAPGATE_PLUGINS=none`) loads none.
     * @default [{ name: 'webhooks', options: {} }]
     */
    plugins: Type.Array(PluginEntry, {
      default: [{ name: 'webhooks', options: {} }],
      description:
        'comma list of built-in names or installed package names (`@acme/zapgate-plugin-x`), `none`, or JSON `[{"name":"webhooks","options":{…}}]`; names that do not load fail the boot',
      defaultText: '`webhooks`',
      envExample: 'webhooks',
    }),
    /** Base URL clients reach the server at (links in payloads). @default undefined */
    publicUrl: Type.Optional(
      Type.String({
        format: 'uri',
        description: 'base URL clients reach the server at (links in payloads, OpenAPI `servers`)',
        defaultText: 'none',
      }),
    ),
    /** Key (32+ characters) to encrypt plugin secrets at rest. @default undefined (stored as given) */
    encryptionKey: Type.Optional(
      Type.String({
        minLength: 32,
        description: '32+ characters; plugins encrypt secrets at rest with it',
        defaultText: 'none (secrets stored as given)',
      }),
    ),
    /** Hosts or CIDR ranges outgoing user-given URLs may reach despite being private. @default [] */
    allowPrivateUrls: Type.Array(Type.String({ minLength: 1 }), {
      default: [],
      description:
        'comma list of hosts/CIDRs that user-given URLs (media, webhooks, proxies) may reach although private (e.g. `10.0.0.0/8`; a receiver on this machine needs `127.0.0.1`)',
      defaultText: 'none',
      envExample: '',
    }),
    /** WhatsApp WebSocket URL (point it at wa-sim). @default Baileys' own */
    waWebSocketUrl: Type.Optional(
      Type.String({
        pattern: '^wss?://',
        description: "WhatsApp's WebSocket URL; `ws://127.0.0.1:7100/ws/chat` for the simulator",
        defaultText: "WhatsApp's",
      }),
    ),
    /** Largest request body in bytes (base64 media counts). @default 33554432 (32 MiB) */
    bodyLimit: Type.Integer({
      minimum: 1024,
      default: 32 * 1024 * 1024,
      description: 'largest request body in bytes (base64 media counts)',
    }),
    /**
     * How long the event log keeps events (`30d`, `12h`, `90m`...; `forever` keeps them all).
     * Pruned hourly, never an event a plugin has not handled yet. @default '30d'
     */
    eventRetention: Type.String({
      pattern: '^([1-9][0-9]*(ms|s|m|h|d|w)|forever)$',
      default: '30d',
      description:
        'how long the event log keeps events (`12h`, `90d`, `forever`); pruned hourly, never an event a plugin has not handled yet',
    }),
    /** Interval of SSE keep-alive comments. @default 15000 */
    sseKeepAliveMs: Type.Integer({
      minimum: 100,
      default: 15_000,
      description: 'interval of SSE keep-alive comments (ms)',
    }),
    /** Serve the interactive docs at `/docs`. @default true */
    docs: Type.Boolean({ default: true, description: 'serve the interactive docs at `/docs`' }),
    /** Serve the web dashboard at `/`. @default true */
    dashboard: Type.Boolean({ default: true, description: 'serve the web dashboard at `/`' }),
    /** Trust `X-Forwarded-*` headers (behind a reverse proxy). @default false */
    trustProxy: Type.Boolean({
      default: false,
      description: 'trust `X-Forwarded-*` headers (behind a reverse proxy)',
    }),
    /**
     * Print each new QR code as a terminal QR (with the session name) on the server's stdout.
     * @default true when stdout is a TTY (running in the foreground), false otherwise
     */
    printQr: Type.Optional(
      Type.Boolean({
        description: 'print each new QR code in the terminal (with the session name)',
        defaultText: '`true` when stdout is a terminal, else `false`',
      }),
    ),
    /**
     * This node's id among the nodes sharing one database (session leases, `GET /v1/admin/nodes`).
     * Keep it stable per slot: a restarted node with the same id takes its sessions back at once.
     * @default `<hostname>:<port>`
     */
    nodeId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "this node's id among nodes sharing the database; keep it stable per slot",
        defaultText: '`<hostname>:<port>`',
      }),
    ),
    /**
     * Where the other nodes reach this one: requests for a session this node runs are
     * forwarded here (with the caller's credentials and an HMAC of the shared admin key).
     * @default `http://<hostname>:<port>`
     */
    nodeUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'where the other nodes reach this one (requests for its sessions are forwarded here)',
        defaultText: '`http://<hostname>:<port>`',
      }),
    ),
    /**
     * How long a node's lease on a session lasts without renewal (ms): a dead node's sessions
     * move to the others this long after its last heartbeat. @default 10000
     */
    leaseMs: Type.Integer({
      minimum: 200,
      default: 10_000,
      description: "session lease time (ms): a dead node's sessions move this long after its last heartbeat",
    }),
    /** How often a node renews its leases and balances sessions (ms); well under `leaseMs`. @default 2000 */
    heartbeatMs: Type.Integer({
      minimum: 50,
      default: 2000,
      description: 'how often a node renews its session leases and balances sessions (ms)',
    }),
  },
  { additionalProperties: false },
);
export type ServerConfig = Static<typeof ServerConfig>;

/** Environment variable → config field. */
export const configEnv = {
  PORT: 'port',
  HOST: 'host',
  ZAPGATE_ADMIN_KEY: 'adminKey',
  DATABASE_URL: 'databaseUrl',
  DATABASE_POOL_SIZE: 'databasePoolSize',
  ZAPGATE_DATA_DIR: 'dataDir',
  LOG_LEVEL: 'logLevel',
  ZAPGATE_LOG_FORMAT: 'logFormat',
  ZAPGATE_PLUGINS: 'plugins',
  ZAPGATE_PUBLIC_URL: 'publicUrl',
  ZAPGATE_ENCRYPTION_KEY: 'encryptionKey',
  ZAPGATE_ALLOW_PRIVATE_URLS: 'allowPrivateUrls',
  WA_WEBSOCKET_URL: 'waWebSocketUrl',
  ZAPGATE_BODY_LIMIT: 'bodyLimit',
  ZAPGATE_SSE_KEEPALIVE_MS: 'sseKeepAliveMs',
  ZAPGATE_EVENT_RETENTION: 'eventRetention',
  ZAPGATE_DOCS: 'docs',
  ZAPGATE_DASHBOARD: 'dashboard',
  ZAPGATE_TRUST_PROXY: 'trustProxy',
  ZAPGATE_PRINT_QR: 'printQr',
  ZAPGATE_NODE_ID: 'nodeId',
  ZAPGATE_NODE_URL: 'nodeUrl',
  ZAPGATE_LEASE_MS: 'leaseMs',
  ZAPGATE_HEARTBEAT_MS: 'heartbeatMs',
} as const satisfies Record<string, keyof ServerConfig>;

/** Where configuration comes from. */
export interface LoadConfigOptions {
  /** @default process.env */
  env?: Record<string, string | undefined>;
  /** A JSON file path. @default env.ZAPGATE_CONFIG */
  file?: string;
  /** Values that win over everything (e.g. CLI flags). */
  overrides?: Partial<ServerConfig>;
}

/** `ZAPGATE_PLUGINS`: a JSON array of entries, or a comma list of names. */
function parsePlugins(raw: string, problems: string[]): unknown {
  const text = raw.trim();
  if (text === 'none' || text === '') return [];
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      problems.push('ZAPGATE_PLUGINS: not valid JSON');
      return [];
    }
  }
  return text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => ({ name }));
}

function fromEnv(env: Record<string, string | undefined>, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [variable, field] of Object.entries(configEnv)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    if (field === 'plugins') out[field] = parsePlugins(raw, problems);
    else if (field === 'allowPrivateUrls')
      out[field] = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else out[field] = raw;
  }
  return out;
}

function fromFile(file: string, problems: string[]): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    problems.push(`${file}: the config file must hold a JSON object`);
  } catch (error) {
    problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {};
}

const envName = Object.fromEntries(Object.entries(configEnv).map(([variable, field]) => [field, variable]));

/**
 * Reads, defaults and validates the configuration, reporting every problem at once
 * (`CONFIG_INVALID`), and returns it frozen.
 *
 * @example
 * const config = loadConfig({ env: process.env });
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<ServerConfig> {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const file = options.file ?? env.ZAPGATE_CONFIG;
  const merged = {
    ...(file ? fromFile(file, problems) : {}),
    ...fromEnv(env, problems),
    ...options.overrides,
  };
  const value = Value.Default(ServerConfig, Value.Convert(ServerConfig, merged));
  for (const error of Value.Errors(ServerConfig, value)) {
    const field = error.path.split('/')[1] ?? '';
    const source = envName[field] ? ` (${envName[field]})` : '';
    problems.push(`${error.path.slice(1).replaceAll('/', '.') || 'config'}${source}: ${error.message}`);
  }
  if (problems.length > 0) {
    throw new GatewayError('CONFIG_INVALID', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      statusCode: 500,
      details: problems,
    });
  }
  return deepFreeze(value as ServerConfig);
}
