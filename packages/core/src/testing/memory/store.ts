import { AsyncLocalStorage } from 'node:async_hooks';
import { GatewayError } from '../../errors.js';
import { migrationChecksum } from '../../migrations.js';
import type { MigrationState } from '../../ports/sql.js';
import type { Repositories, Store } from '../../ports/store.js';
import { cursorRepo } from './cursors.js';
import { deadLetterRepo } from './dead-letters.js';
import { chatRepo, contactRepo } from './directory.js';
import { authRepo, eventLogRepo } from './events-auth.js';
import { messageRepo } from './messages.js';
import { pluginSettingsRepo } from './plugin-settings.js';
import { sessionRepo } from './sessions.js';
import { emptyState, type MemoryState, Views } from './state.js';

const repositories = (views: Views): Repositories => ({
  sessions: sessionRepo(views),
  chats: chatRepo(views),
  contacts: contactRepo(views),
  messages: messageRepo(views),
  events: eventLogRepo(views),
  auth: authRepo(views),
  pluginSettings: pluginSettingsRepo(views),
  deadLetters: deadLetterRepo(views),
});

// Which methods change state: outside a transaction each runs as a transaction of its own.
const writes: { [K in keyof Repositories]-?: readonly string[] } = {
  sessions: ['create', 'update', 'reassignStatus', 'delete'],
  chats: ['upsert', 'upsertMany', 'delete'],
  contacts: ['upsert', 'upsertChanged'],
  messages: ['insert', 'insertMany', 'update', 'failPending', 'advanceStatus', 'advanceStatusMany'],
  events: ['append', 'appendMany'],
  auth: ['setCreds', 'setKeys', 'clear'],
  pluginSettings: ['put', 'delete'],
  deadLetters: ['add', 'delete'],
  sql: [],
  leases: [],
};

type AnyFn = (...args: unknown[]) => Promise<unknown>;

/** Builds the in-memory store; see `memoryStore()` in `../index.ts`. */
export function createMemoryStore(): Store {
  const state: MemoryState = emptyState();
  const listeners = new Set<() => void>();
  const inTransaction = new AsyncLocalStorage<{ open: boolean }>();
  let lock: Promise<unknown> = Promise.resolve();
  let closed = false;

  const transaction = async <T>(fn: (tx: Repositories) => Promise<T>): Promise<T> => {
    if (inTransaction.getStore()?.open) {
      // With one writer at a time this would wait forever, as it would on an embedded database.
      throw new GatewayError(
        'STORE_FAILED',
        'The store was used for a write inside transaction(fn); use the repositories passed to fn',
      );
    }
    const run = async () => {
      const views = new Views(state);
      const scope = { open: true };
      try {
        const result = await inTransaction.run(scope, () => fn(repositories(views)));
        views.commit();
        if (views.pendingEvents.length > 0) notify();
        return result;
      } finally {
        scope.open = false;
      }
    };
    const result = lock.then(run, run);
    lock = result.catch(() => {});
    return result;
  };

  const notify = () => {
    for (const listener of listeners) {
      queueMicrotask(() => {
        try {
          listener();
        } catch {
          // a listener's failure is its own business
        }
      });
    }
  };

  const outer = Object.fromEntries(
    (Object.keys(writes) as (keyof Repositories)[])
      .filter((name) => name !== 'sql' && name !== 'leases')
      .map((name) => {
        const methods = Object.keys(repositories(new Views(state))[name] as object);
        const wrapped = Object.fromEntries(
          methods.map((method) => {
            const call = (repos: Repositories, args: unknown[]) =>
              ((repos[name] as unknown as Record<string, AnyFn>)[method] as AnyFn)(...args);
            const fn = writes[name].includes(method)
              ? (...args: unknown[]) => transaction((tx) => call(tx, args))
              : (...args: unknown[]) => call(repositories(new Views(state)), args);
            return [method, fn];
          }),
        );
        return [name, wrapped];
      }),
  ) as unknown as Repositories;

  const cursors = cursorRepo(state);

  return {
    kind: 'memory',
    ...outer,
    cursors,
    async init() {},
    async close() {
      closed = true;
      listeners.clear();
    },
    async ping() {
      if (closed) throw new GatewayError('STORE_FAILED', 'The memory store is closed');
    },
    transaction,
    async migrate(owner, migrations) {
      const applied = new Map(state.migrations.filter((m) => m.owner === owner).map((m) => [m.name, m]));
      for (const migration of migrations) {
        const row = applied.get(migration.name);
        if (row && row.checksum !== migrationChecksum(migration)) {
          throw new GatewayError(
            'MIGRATION_CHECKSUM_MISMATCH',
            `Migration "${migration.name}" of "${owner}" changed after it was applied`,
            { details: { owner, migration: migration.name } },
          );
        }
      }
      for (const migration of migrations) {
        if (applied.has(migration.name)) continue;
        // No SQL here: the migration is recorded, never run (plugins with tables need a SQL store).
        state.migrations.push({
          owner,
          name: migration.name,
          checksum: migrationChecksum(migration),
          appliedAt: new Date().toISOString(),
        });
      }
    },
    async migrationStatus(known): Promise<MigrationState[]> {
      const states: MigrationState[] = [];
      for (const [owner, migrations] of Object.entries(known)) {
        const applied = state.migrations.filter((m) => m.owner === owner);
        const names = new Set(applied.map((m) => m.name));
        states.push(...applied.map((m) => ({ ...m })));
        for (const m of migrations) {
          if (!names.has(m.name))
            states.push({ owner, name: m.name, checksum: migrationChecksum(m), appliedAt: null });
        }
      }
      return states;
    },
    onEventsAppended(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
