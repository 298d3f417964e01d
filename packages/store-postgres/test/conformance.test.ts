import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { storeConformance } from '@zapgate/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { postgresStore } from '../src/index.js';
import { createTestDatabase } from './helpers.js';

// One throwaway database for the file; every test gets its own schema in it (fresh and empty,
// far cheaper than a database per test), dropped with the store.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

storeConformance({
  name: 'postgres',
  async create() {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = postgresStore({ databaseUrl: database.url, schema, pool: { max: 4 } });
    return {
      store,
      async cleanup() {
        await store.sql.query(`DROP SCHEMA "${schema}" CASCADE`);
        await store.close();
      },
    };
  },
});

// Booting PGlite takes seconds: one instance for the file, emptied after every test
let pglite: PGlite;
beforeAll(async () => {
  pglite = await PGlite.create();
});
afterAll(() => pglite.close());

storeConformance({
  name: 'pglite',
  concurrentReads: false,
  async create() {
    const store = postgresStore({ pglite });
    return {
      store,
      async cleanup() {
        await store.close();
        await pglite.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
      },
    };
  },
});
