import {
  GatewayError,
  type Migration,
  type MigrationState,
  type Repositories,
  type SessionLeaseRepo,
  type SqlClient,
  type Store,
  silentLogger,
} from '@zapgate/core';
import type { useStoreAuthState } from '@zapgate/core/baileys';
import type { Knex } from 'knex';
import { openDatabase } from './db.js';
import { StorePostgresErrorCodes } from './error-codes.js';
import { coreMigrations, coreOwner } from './migrations/index.js';
import { type MigratorContext, migrate, migrateDown, migrationStatus } from './migrator.js';
import { EventNotifier } from './notify.js';
import { type PostgresStoreOptions, resolveOptions } from './options.js';
import { authRepo } from './repos/auth.js';
import { chatRepo } from './repos/chats.js';
import { contactRepo } from './repos/contacts.js';
import { consumerCursorRepo } from './repos/cursors.js';
import { deadLetterRepo } from './repos/dead-letters.js';
import { type EventLogContext, eventLogRepo } from './repos/events.js';
import { sessionLeaseRepo } from './repos/leases.js';
import { messageRepo } from './repos/messages.js';
import { pluginSettingsRepo } from './repos/plugin-settings.js';
import { sessionRepo } from './repos/sessions.js';
import { withRetry } from './retry.js';
import { EventSequencer } from './sequencer.js';
import { sqlClient } from './sql-client.js';

/** The store `postgresStore()` returns: core's {@link Store} plus what the CLI and Baileys need. */
export interface PostgresStore extends Store {
  readonly kind: 'postgres' | 'pglite';
  /** Plain SQL on the store's pool (also handed to plugins). */
  readonly sql: SqlClient;
  /** Session leases between the gateway nodes sharing this database. */
  readonly leases: SessionLeaseRepo;
  /** The knex instance (for tools and tests; prefer the repositories). */
  readonly knex: Knex;
  /**
   * Reverts the last `steps` applied migrations of `owner` (newest first). Only for an
   * explicit `zapgate migrate down`; pass the owner's full list (`coreMigrations` for core).
   * @returns the names reverted
   */
  migrateDown(
    owner: string,
    migrations: readonly Migration[],
    options?: { steps?: number },
  ): Promise<string[]>;
  /** Baileys auth state of a session, on the same pool as everything else. */
  authState(sessionId: string): ReturnType<typeof useStoreAuthState>;
}

/**
 * A store on PostgreSQL (with `databaseUrl`) or on embedded PGlite persisted under `dataDir`.
 * `init()` creates the tables (core migrations, under an advisory lock).
 *
 * @example
 * // embedded, under ./data/pglite
 * const store = postgresStore();
 * // production
 * const store = postgresStore({ databaseUrl: process.env.DATABASE_URL, pool: { max: 20 } });
 * await store.init();
 * const gateway = createGateway({ store, plugins: [webhooks()] });
 */
export function postgresStore(options: PostgresStoreOptions = {}): PostgresStore {
  const resolved = resolveOptions(options);
  const logger = (resolved.logger ?? silentLogger).child({
    component: 'store',
    store: resolved.databaseUrl ? 'postgres' : 'pglite',
  });
  const database = openDatabase(resolved, logger);
  const { knex } = database;
  const channel = resolved.schema ? `zapgate_events_${resolved.schema}` : 'zapgate_events';
  const notifier = new EventNotifier(
    database.pglite
      ? { kind: 'pglite', pglite: database.pglite }
      : { kind: 'postgres', databaseUrl: resolved.databaseUrl as string },
    channel,
    logger,
  );
  // the 014_job_groups trigger notifies this channel when jobs are enqueued
  const jobsNotifier = new EventNotifier(
    database.pglite
      ? { kind: 'pglite', pglite: database.pglite }
      : { kind: 'postgres', databaseUrl: resolved.databaseUrl as string },
    `zapgate_jobs_${resolved.schema ?? 'public'}`,
    logger,
  );
  const sequencer = new EventSequencer(knex, channel, () => notifier.fire(), logger);
  // embedded PGlite opened (and locked) by this store: no other node can share it
  const exclusive = database.kind === 'pglite' && !resolved.pglite ? new Set<string>() : undefined;
  const outside: EventLogContext = { sequencer, appended: () => {} };
  const migrator: MigratorContext = { knex, logger, ...(resolved.schema ? { schema: resolved.schema } : {}) };
  const repositories = (db: Knex, events: EventLogContext = outside): Repositories => ({
    sessions: sessionRepo(db),
    chats: chatRepo(db),
    contacts: contactRepo(db),
    messages: messageRepo(db),
    events: eventLogRepo(db, events),
    auth: authRepo(db),
    pluginSettings: pluginSettingsRepo(db),
    deadLetters: deadLetterRepo(db),
    sql: sqlClient(db),
    // outside a transaction, the heartbeat renews on its own connection
    leases: sessionLeaseRepo(db, { exclusive, ...(db === knex ? { renewal: database.renewal } : {}) }),
  });
  let initialized: Promise<void> | null = null;
  let closed = false;

  const store: PostgresStore = {
    kind: database.kind,
    knex,
    ...(repositories(knex) as Repositories & { sql: SqlClient; leases: SessionLeaseRepo }),
    cursors: consumerCursorRepo(knex),
    init() {
      if (closed) return Promise.reject(closedError());
      initialized ??= (async () => {
        if (database.kind === 'pglite') {
          await notifier.start();
          await jobsNotifier.start();
        }
        await migrate(migrator, coreOwner, coreMigrations);
        logger.debug('store ready');
      })().catch((error) => {
        initialized = null;
        throw error;
      });
      return initialized;
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await sequencer.idle();
        await notifier.close();
        await jobsNotifier.close();
        await database.close();
      } finally {
        // the embedded directory's lock goes with this process's use of it, even if a close failed
        database.release();
      }
    },
    async ping() {
      if (closed) throw closedError();
      await knex.raw('SELECT 1');
    },
    transaction: (fn) =>
      withRetry(logger, async () => {
        let appended = false;
        const result = await knex.transaction((trx) =>
          fn(repositories(trx, { sequencer, appended: () => (appended = true) })),
        );
        // positions are given after commit, outside the writer's transaction
        if (appended) sequencer.kick();
        return result;
      }),
    migrate: (owner, migrations) => migrate(migrator, owner, migrations),
    migrateDown: (owner, migrations, opts) => migrateDown(migrator, owner, migrations, opts),
    migrationStatus: (known): Promise<MigrationState[]> => migrationStatus(migrator, known),
    onEventsAppended: (listener) => notifier.subscribe(listener),
    onJobsEnqueued: (listener) => jobsNotifier.subscribe(listener),
    // Baileys loads with the first auth state asked for, not with the store (it is most of a boot)
    authState: async (sessionId) =>
      (await import('@zapgate/core/baileys')).useStoreAuthState(store.auth, sessionId),
  };
  return store;
}

function closedError(): GatewayError {
  return new GatewayError('STORE_POSTGRES_CLOSED', 'The store is closed', {
    statusCode: StorePostgresErrorCodes.STORE_POSTGRES_CLOSED,
  });
}
