import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localMediaStore, type StoredEvent } from '@zapgate/core';
import { baileysConnector } from '@zapgate/core/baileys';
import { type BuildServerOptions, buildServer, type ZapgateServer } from '@zapgate/server';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';
import { type Simulator, startSimulator, trustSimulatorRoot } from '@zapgate/wa-sim';
import { fastTuning, waitFor } from './stack.js';

/** `pglite-memory`: embedded PGlite without files, the quickest to boot on a busy machine. */
export type Backend = 'postgres' | 'pglite' | 'pglite-memory';
export const backends: Backend[] = ['postgres', 'pglite'];

/** A store on a throwaway Postgres database, or on PGlite persisted under `dataDir`. */
export async function throwawayStore(
  backend: Backend,
  dataDir: string,
): Promise<{ store: PostgresStore; url?: string; drop(): Promise<void> }> {
  if (backend === 'pglite' || backend === 'pglite-memory') {
    const store = postgresStore({ dataDir: backend === 'pglite' ? dataDir : 'memory://' });
    return { store, drop: () => store.close() };
  }
  const database = await createTestDatabase({ prefix: 'zapgate_e2e' });
  const store = postgresStore({ databaseUrl: database.url });
  return {
    store,
    url: database.url,
    async drop() {
      await store.close();
      await database.drop();
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely unless they name a type
export interface ApiResponse<T = any> {
  status: number;
  body: T;
}

/** The reference server over real HTTP, with real Baileys talking to a simulator. */
export interface ServerStack {
  sim: Simulator;
  store: PostgresStore;
  /** The throwaway database (Postgres backend), for other processes on the same store. */
  databaseUrl: string | undefined;
  /** Where the server keeps media (`<dataDir>/media`). */
  dataDir: string;
  app: ZapgateServer;
  baseUrl: string;
  adminKey: string;
  // biome-ignore lint/suspicious/noExplicitAny: as ApiResponse
  api<T = any>(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  /** Closes the server and starts a new one on the same store ("a restart"). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the stack; `options.server` overrides the server's options (plugins, dashboard…). */
export async function startServerStack(
  backend: Backend,
  options: { allowPrivateUrls?: string[]; server?: Partial<BuildServerOptions>; port?: number } = {},
): Promise<ServerStack> {
  const sim = await startSimulator();
  const untrust = trustSimulatorRoot(sim);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zapgate-e2e-'));
  const { store, url: databaseUrl, drop } = await throwawayStore(backend, dataDir);
  const adminKey = `zga_${randomBytes(24).toString('base64url')}`;
  const build = () =>
    buildServer({
      adminKey,
      logger: process.env.E2E_LOG ? { level: process.env.E2E_LOG } : false,
      docs: false,
      closeStore: false,
      sseKeepAliveMs: 1000,
      store,
      connector: baileysConnector({ ...sim.baileysConfig() }),
      mediaStore: localMediaStore({ dir: path.join(dataDir, 'media') }),
      tuning: fastTuning,
      ...(options.allowPrivateUrls ? { config: { allowPrivateUrls: options.allowPrivateUrls } } : {}),
      ...options.server,
    } as BuildServerOptions);
  const listen = async (app: ZapgateServer) => {
    const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
    return address;
  };
  const stack: ServerStack = {
    sim,
    store,
    databaseUrl,
    dataDir,
    adminKey,
    app: build(),
    baseUrl: '',
    async api(method, url, body, headers = {}) {
      const response = await fetch(stack.baseUrl + url, {
        method,
        headers: {
          authorization: `Bearer ${adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async restart() {
      await stack.app.close();
      stack.app = build();
      stack.baseUrl = await listen(stack.app);
    },
    async close() {
      await stack.app.close();
      await sim.close();
      untrust();
      await drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  stack.baseUrl = await listen(stack.app);
  return stack;
}

/**
 * Creates a session over HTTP (with `extra` fields of the create body, e.g. `proxyUrl`),
 * connects it and pairs it by QR; returns the session and its key.
 */
export async function pairOverHttp(
  stack: ServerStack,
  name: string,
  phoneNumber: string,
  extra: Record<string, unknown> = {},
) {
  const created = await stack.api('POST', '/v1/sessions', { ...extra, name });
  if (created.status !== 201) throw new Error(`create failed: ${JSON.stringify(created.body)}`);
  const { id, apiKey } = created.body as { id: string; apiKey: string };
  await stack.api('POST', `/v1/sessions/${id}/connect`);
  const qr = await waitFor(
    async () => {
      const res = await stack.api('GET', `/v1/sessions/${id}/qr`);
      return res.status === 200 ? (res.body as { qr: string; dataUrl: string }) : null;
    },
    20_000,
    'QR',
  );
  const paired = await stack.sim.scanQr(qr.qr, { phoneNumber });
  const session = await waitForStatus(stack, id, 'connected');
  return { id, apiKey, session, qr, paired };
}

export async function waitForStatus(stack: ServerStack, id: string, status: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const res = await stack.api('GET', `/v1/sessions/${id}`);
      return res.body?.status === status ? res.body : null;
    },
    timeoutMs,
    `status ${status}`,
  );
}

/** Collects events from `GET /v1/events` (real SSE over HTTP) until stopped. */
export function collectSse(stack: ServerStack, query: string, headers: Record<string, string> = {}) {
  const events: (StoredEvent & { sseId: string })[] = [];
  const controller = new AbortController();
  let connected: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const done = (async () => {
    const response = await fetch(`${stack.baseUrl}/v1/events?${query}`, {
      headers: { authorization: `Bearer ${stack.adminKey}`, accept: 'text/event-stream', ...headers },
      signal: controller.signal,
    });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      connected(); // the server writes ': connected' once its cursor is set
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (id && data) events.push({ ...JSON.parse(data), sseId: id });
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch(() => {});
  return {
    events,
    /** Resolves once the server has set the stream's starting point. */
    ready,
    async stop() {
      controller.abort();
      await done;
    },
  };
}
