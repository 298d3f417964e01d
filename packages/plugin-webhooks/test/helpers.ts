import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import {
  appendEvent,
  createGateway,
  type EventType,
  type Gateway,
  type GatewayEvent,
  type GatewayEventMap,
  type HostConfig,
  isGatewayError,
  type Metrics,
  type RequestAuth,
} from '@zapgate/core';
import { fakeConnector } from '@zapgate/core/testing';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase as createDatabase } from '@zapgate/store-postgres/testing';
import { type WebhooksOptions, webhooks } from '../src/index.js';

/** A throwaway Postgres database; `drop()` removes it (forcefully). */
export const createTestDatabase = () => createDatabase({ prefix: 'zapgate_webhooks' });

export const backends = ['postgres', 'pglite'] as const;
export type Backend = (typeof backends)[number];

/** Receivers and the gateway on loopback: the allowlist lets them through. */
export const loopbackAllowlist = ['127.0.0.1/8', '::1'];

/** One request a {@link Receiver} got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: {
    id: string;
    type: string;
    sessionId: string | null;
    occurredAt: string;
    data: Record<string, unknown>;
  };
  at: number;
}

type Responder = (request: Received) => {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  hang?: boolean;
  delayMs?: number;
};

/** A real HTTP receiver on 127.0.0.1; `respond` decides each answer (default 200). */
export class Receiver {
  readonly requests: Received[] = [];
  respond: Responder = () => ({ status: 200 });
  private readonly server: http.Server;
  private readonly waiters = new Set<() => void>();
  private readonly hanging = new Set<http.ServerResponse>();

  constructor() {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const received: Received = {
          path: req.url ?? '/',
          headers: req.headers,
          body,
          json: JSON.parse(body),
          at: Date.now(),
        };
        this.requests.push(received);
        for (const wake of this.waiters) wake();
        const answer = this.respond(received);
        if (answer.hang) {
          this.hanging.add(res);
          return;
        }
        const send = () => res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves when `predicate` holds over the requests so far. */
  async waitFor(predicate: (requests: Received[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.requests)) {
      if (Date.now() > deadline)
        throw new Error(
          `receiver: condition not met after ${timeoutMs}ms (${this.requests.length} requests)`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, 100);
        this.waiters.add(wake);
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What a route call answers (the host's shape: status and JSON body). */
// biome-ignore lint/suspicious/noExplicitAny: tests read bodies loosely
export interface Reply<T = any> {
  status: number;
  body: T;
}

/** A gateway with the webhooks plugin on a store of the given backend. */
export interface Harness {
  gateway: Gateway;
  store: PostgresStore;
  /** Calls a plugin route the way the server does: schema-checked input, errors as bodies. */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; query?: Record<string, unknown>; auth?: RequestAuth },
  ): Promise<Reply>;
  emit<K extends EventType>(
    type: K,
    sessionId: string | null,
    data: GatewayEventMap[K],
  ): Promise<GatewayEvent<K>>;
  stop(): Promise<void>;
}

function matchPath(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/');
  const b = path.split('/');
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const part = a[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = b[i]!;
    else if (part !== b[i]) return null;
  }
  return params;
}

/** Starts a gateway with `webhooks(options)`; Postgres uses `databaseUrl`, PGlite is in memory. */
export async function startHarness(
  databaseUrl: string | undefined,
  options: WebhooksOptions = {},
  config: HostConfig = {},
  metrics?: Metrics,
): Promise<Harness> {
  const store = postgresStore(databaseUrl ? { databaseUrl } : { dataDir: 'memory://' });
  const gateway = createGateway({
    store,
    connector: fakeConnector(),
    config,
    ...(metrics ? { metrics } : {}),
    plugins: [webhooks({ allowlist: loopbackAllowlist, ...options })],
    tuning: { events: { pollIntervalMs: 50 }, jobs: { pollIntervalMs: 50 } },
  });
  await gateway.start();
  return {
    gateway,
    store,
    async call(method, path, { body, query, auth = { scope: 'admin' } as RequestAuth } = {}) {
      for (const { route, ctx } of gateway.routes) {
        const params = route.method === method ? matchPath(route.path, path) : null;
        if (!params) continue;
        const input = { params, query: query ?? {}, body };
        for (const [key, schema] of [
          ['params', route.schema.params],
          ['query', route.schema.querystring],
          ['body', route.schema.body],
        ] as const) {
          if (!schema) continue;
          const value = Value.Default(schema, Value.Convert(schema, input[key]));
          if (!Value.Check(schema, value)) {
            return {
              status: 400,
              body: {
                statusCode: 400,
                code: 'VALIDATION_FAILED',
                error: 'Bad Request',
                message: [...Value.Errors(schema, value)].map((e) => `${e.path} ${e.message}`).join('; '),
              },
            };
          }
          (input as Record<string, unknown>)[key] = value;
        }
        try {
          const reply = await route.handler({ ...input, headers: {}, auth }, ctx);
          const status = reply.status ?? 200;
          if (!(status in route.schema.response))
            throw new Error(`undocumented status ${status} for ${route.operationId}`);
          return { status, body: reply.body as never };
        } catch (error) {
          if (!isGatewayError(error)) throw error;
          if (!(error.statusCode in route.schema.response) && error.statusCode !== 403) {
            throw new Error(`undocumented error ${error.statusCode} for ${route.operationId}`);
          }
          return { status: error.statusCode, body: error.toJSON() as never };
        }
      }
      throw new Error(`no route ${method} ${path}`);
    },
    emit: (type, sessionId, data) => store.transaction((tx) => appendEvent(tx, type, sessionId, data)),
    async stop() {
      await gateway.stop();
      await store.close();
    },
  };
}

/** Metrics that remember what was recorded, as `name{label=value,...}` → sum / observations. */
export function recordingMetrics() {
  const counters = new Map<string, number>();
  const histograms = new Map<string, number[]>();
  const key = (name: string, labels: Record<string, string> = {}) =>
    `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}}`;
  const metrics: Metrics = {
    counter: (name) => ({
      inc: (labels, value = 1) =>
        counters.set(key(name, labels), (counters.get(key(name, labels)) ?? 0) + value),
    }),
    histogram: (name) => ({
      observe: (labels, value) =>
        histograms.set(key(name, labels), [...(histograms.get(key(name, labels)) ?? []), value]),
    }),
    gauge: () => ({ set: () => {} }),
  };
  return { metrics, counters, histograms };
}
