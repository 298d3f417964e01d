export { type StorePostgresErrorCode, StorePostgresErrorCodes } from './error-codes.js';
export { coreMigrations, coreOwner } from './migrations/index.js';
export { migrationsTable } from './migrator.js';
export {
  type PostgresStoreOptions,
  PostgresStoreOptionsSchema,
  type ResolvedPostgresStoreOptions,
  resolveOptions,
} from './options.js';
export { type PostgresStore, postgresStore } from './store.js';
