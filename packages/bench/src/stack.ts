import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Connector, GatewayPlugin } from '@zapgate/core';
import { type FakeConnector, fakeConnector } from '@zapgate/core/testing';
import { webhooks } from '@zapgate/plugin-webhooks';
import { buildServer, type ZapgateServer } from '@zapgate/server';
import { type PostgresStore, postgresStore } from '@zapgate/store-postgres';
import { createTestDatabase } from '@zapgate/store-postgres/testing';

export type Backend = 'postgres' | 'pglite';
export const adminKey = 'bench-admin-key-0123456789';
const auth = { authorization: `Bearer ${adminKey}` };

/** A throwaway database: a Postgres database, or a PGlite directory under the OS temp dir. */
export interface Scratch {
  backend: Backend;
  /** Postgres URL (postgres only). */
  url?: string;
  /** PGlite data dir (pglite only). */
  dataDir?: string;
  drop(): Promise<void>;
}

export async function scratch(backend: Backend): Promise<Scratch> {
  if (backend === 'postgres') {
    const db = await createTestDatabase({ prefix: 'zapgate_bench' });
    return { backend, url: db.url, drop: db.drop };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'zapgate-bench-'));
  return { backend, dataDir, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

export function openStore(db: Scratch, poolMax = 10): PostgresStore {
  return db.url
    ? postgresStore({ databaseUrl: db.url, pool: { max: poolMax } })
    : postgresStore({ dataDir: db.dataDir as string });
}

/** The reference server on a fake connector, logs off, webhooks on, loopback allowed. */
export interface Stack {
  app: ZapgateServer;
  store: PostgresStore;
  fake: FakeConnector;
  sessionIds: string[];
  /** Each session's own API key (what clients send). */
  apiKeys: string[];
  close(): Promise<void>;
}

export async function startStack(
  db: Scratch,
  options: {
    sessions: number;
    connector?: FakeConnector;
    poolMax?: number;
    /** @default webhooks (loopback allowed) */
    plugins?: GatewayPlugin[];
  },
): Promise<Stack> {
  const store = openStore(db, options.poolMax);
  // migrate before the server's ready hook (its 10 s budget is short for PGlite on a busy box)
  await store.init();
  const fake = options.connector ?? fakeConnector({ autoOpen: true });
  const app = buildServer({
    adminKey,
    store,
    connector: fake as Connector,
    plugins: options.plugins ?? [webhooks({ allowlist: ['127.0.0.1/8'] })],
    config: { allowPrivateUrls: ['127.0.0.1/8'] },
    // production's default level, written where it costs what a log pipe costs
    logger: { level: 'info', stream: createWriteStream('/dev/null') },
  });
  await app.ready();
  const sessionIds: string[] = [];
  const apiKeys: string[] = [];
  for (let i = 0; i < options.sessions; i++) {
    const created = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      headers: auth,
      payload: { name: `bench-${i}` },
    });
    const id = created.json().id as string;
    apiKeys.push(created.json().apiKey as string);
    await app.inject({ method: 'POST', url: `/v1/sessions/${id}/connect`, headers: auth });
    sessionIds.push(id);
  }
  for (const id of sessionIds) {
    for (;;) {
      const got = await app.inject({ method: 'GET', url: `/v1/sessions/${id}`, headers: auth });
      if (got.json().status === 'connected') break;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return {
    app,
    store,
    fake,
    sessionIds,
    apiKeys,
    async close() {
      await app.close();
    },
  };
}

/** Subscribes `url` to `events` globally (through the API, as a user would). */
export async function subscribe(app: ZapgateServer, url: string, events: string[]): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: auth,
    payload: { url, events },
  });
  if (res.statusCode !== 201) throw new Error(`subscription failed: ${res.statusCode} ${res.body}`);
}

/** A webhook receiver in a child process. */
export interface Receiver {
  url: string;
  count(): Promise<number>;
  /** `[arrivedAtMs, webhookId, waid, path]` per request. */
  report(): Promise<[number, string | null, string | null, string][]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = fork(new URL('./receiver.js', import.meta.url), { stdio: 'ignore' } as never);
  const ask = <T>(message: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (reply: Record<string, unknown>) => {
        if (!(key in reply)) return;
        child.off('message', on);
        resolve(reply[key] as T);
      };
      child.on('message', on);
      if (message) child.send(message);
    });
  const port = await ask<number>('', 'port');
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => ask('count', 'count'),
    report: () => ask('report', 'received'),
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send('close');
      await exited;
    },
  };
}

/**
 * Counts the statements a store sends until `stop()`, which returns the count;
 * with `BENCH_SQL=1` it also prints the 15 most frequent kinds of statement.
 */
export function countStatements(
  store: PostgresStore,
  ignore: (sql: string) => boolean = () => false,
): { count(): number; stop(): number } {
  let count = 0;
  const kinds = new Map<string, number>();
  const listener = (query: { sql?: string; bindings?: unknown[] }) => {
    const sql = query.sql ?? '';
    if (ignore(sql)) return;
    count++;
    if (!process.env.BENCH_SQL) return;
    let kind = sql.replace(/\s+/g, ' ').slice(0, 70);
    if (kind.includes('authKeys')) kind += ` [${String(query.bindings?.[1])}]`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  };
  store.knex.on('query', listener);
  return {
    count: () => count,
    stop() {
      store.knex.off('query', listener);
      for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1]).slice(0, 15))
        process.stdout.write(`${n}\t${kind}\n`);
      return count;
    },
  };
}
