import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '@zapgate/core';
import knex, { type Knex } from 'knex';
import ClientPGLite from 'knex-pglite';
import type { ResolvedPostgresStoreOptions } from './options.js';
import { lockPgliteDirectory } from './pglite-lock.js';

/** The knex instance of a store and, embedded, the PGlite behind it. */
export interface Database {
  kind: 'postgres' | 'pglite';
  knex: Knex;
  /**
   * One connection of its own for renewing session leases (Postgres): a pool exhausted by
   * pairing or a burst of writes must not let a node's leases expire. Embedded, `knex`.
   */
  renewal: Knex;
  pglite: PGlite | null;
  /** Releases what opening took beyond the connection (the embedded directory's lock). */
  release(): void;
  /** Closes the connections (both pools). */
  close(): Promise<void>;
}

/** Opens the pool (Postgres) or the embedded database (PGlite); connects lazily. */
export function openDatabase(options: ResolvedPostgresStoreOptions, logger: Logger): Database {
  const searchPath = options.schema ? [options.schema] : undefined;
  // knex's own warnings (a connection Postgres ended, say) go to the store's logger, not stderr
  const log = {
    warn: (message: unknown) => logger.warn({ knex: message }, 'knex warning'),
    error: (message: unknown) => logger.error({ knex: message }, 'knex error'),
    deprecate: (message: unknown) => logger.debug({ knex: message }, 'knex deprecation'),
    debug: (message: unknown) => logger.debug({ knex: message }, 'knex debug'),
  };
  if (options.databaseUrl) {
    const connect = (pool: { min: number; max: number }) =>
      knex({
        client: 'pg',
        connection: {
          connectionString: options.databaseUrl,
          application_name: options.applicationName,
          idle_in_transaction_session_timeout: options.idleTransactionTimeoutMs,
        },
        pool,
        log,
        ...(searchPath ? { searchPath } : {}),
      });
    const db = connect({ min: options.pool.min, max: options.pool.max });
    const renewal = connect({ min: 0, max: 1 });
    return {
      kind: 'postgres',
      knex: db,
      renewal,
      pglite: null,
      release: () => {},
      close: async () => {
        await renewal.destroy();
        await db.destroy();
      },
    };
  }
  const location = options.pglite ? undefined : pgliteLocation(options.dataDir);
  // one process per directory: refused here, before PGlite opens (and would corrupt) it
  const lock = location ? lockPgliteDirectory(`${location}.lock`, options.dataDir) : null;
  const pglite = options.pglite ?? new PGlite(location);
  // knex-pglite closes its connection on destroy: a view whose close() does nothing when the
  // instance is the caller's; and whose queries yield to the event loop first
  const connection = pgliteView(pglite, { keepOpen: !!options.pglite });
  // always set: a shared instance keeps the search_path another store set on it
  const pglitePath = searchPath ?? ['public'];
  const db = knex({
    client: ClientPGLite,
    // knex-pglite takes an existing instance through a function, so we keep it for LISTEN
    connection: (() => ({ pglite: connection })) as unknown as Knex.StaticConnectionConfig,
    searchPath: pglitePath,
    log,
  });
  return {
    kind: 'pglite',
    knex: db,
    renewal: db,
    pglite,
    release: () => lock?.release(),
    close: () => db.destroy(),
  };
}

/**
 * What knex-pglite gets of a PGlite instance. PGlite runs in this thread and answers through
 * promises alone, so a loop of queries (a consumer draining a backlog, a burst of inserts)
 * would never let timers or sockets run until it ends: each query first yields to the event
 * loop (`setImmediate`), so HTTP, webhooks and timers keep going meanwhile.
 */
function pgliteView(pglite: PGlite, options: { keepOpen: boolean }): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      if (property === 'close' && options.keepOpen) return async () => {};
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      // bound to the real instance: PGlite keeps its state in private fields
      const bound = value.bind(target);
      if (property !== 'query' && property !== 'exec') return bound;
      return async (...args: unknown[]) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        return bound(...args);
      };
    },
  });
}

function pgliteLocation(dataDir: string): string | undefined {
  if (dataDir.startsWith('memory://')) return undefined;
  const dir = join(resolve(dataDir), 'pglite');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Double-quotes an identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
