import {
  defaultSessionSettings,
  isGatewayError,
  type Migration,
  migrationChecksum,
  sqlMigration,
} from '@zapgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrations } from '../src/index.js';
import { backends, createTestDatabase, storeFactory } from './helpers.js';

const plugin = (n: number): Migration[] =>
  (<Migration[]>[
    sqlMigration(
      '001_items',
      ['CREATE TABLE "items" ("id" serial PRIMARY KEY, "label" text NOT NULL)'],
      ['DROP TABLE "items"'],
    ),
    sqlMigration(
      '002_item_notes',
      ['ALTER TABLE "items" ADD COLUMN "note" text'],
      ['ALTER TABLE "items" DROP COLUMN "note"'],
    ),
    {
      name: '003_item_index',
      async up(sql) {
        await sql.query('CREATE INDEX "items_label_idx" ON "items" ("label")');
      },
      async down(sql) {
        await sql.query('DROP INDEX "items_label_idx"');
      },
    },
  ]).slice(0, n);

const count = async (rows: Promise<{ n: number | string }[]>) => Number((await rows)[0]?.n);

describe.each(backends)('migrations on %s', (backend) => {
  const stores = storeFactory(backend);
  beforeAll(() => stores.setup());
  afterAll(() => stores.teardown());

  it('migrates a fresh database and reports every core migration applied', async () => {
    const store = stores.create({ schema: 'fresh' });
    await store.init();
    await store.init(); // safe twice
    const status = await store.migrationStatus({ core: coreMigrations });
    expect(status.map((s) => s.name)).toEqual(coreMigrations.map((m) => m.name));
    for (const s of status) {
      expect(s.owner).toBe('core');
      expect(s.appliedAt).not.toBeNull();
      expect(s.checksum).toMatch(/^[0-9a-f]{64}$/);
    }
    const tables = await store.sql.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'fresh' ORDER BY 1`,
    );
    // sorted here: the database's collation orders mixed case differently (PGlite vs Postgres)
    expect(tables.map((r) => r.t).sort()).toEqual([
      'authCreds',
      'authKeys',
      'chats',
      'consumerCursors',
      'consumerStreams',
      'contacts',
      'deadLetters',
      'eventSequencer',
      'events',
      'jobSchedules',
      'jobs',
      'messages',
      'nodes',
      'pluginSettings',
      'sessionLeases',
      'sessions',
      'zapgate_migrations',
    ]);
  });

  it('refuses an applied migration whose source changed, naming owner and migration', async () => {
    const store = stores.create({ schema: 'tamper' });
    await store.init();
    await store.migrate('shop', plugin(2));
    const tampered = [
      plugin(1)[0] as Migration,
      sqlMigration('002_item_notes', ['ALTER TABLE "items" ADD COLUMN "note" varchar(10)']),
    ];
    const error = await store.migrate('shop', tampered).catch((e: unknown) => e);
    expect(isGatewayError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
    expect((error as Error).message).toContain('"002_item_notes"');
    expect((error as Error).message).toContain('"shop"');
    // the intact list still passes
    await store.migrate('shop', plugin(2));
  });

  it('upgrades from an earlier migration set without losing rows', async () => {
    const store = stores.create({ schema: 'upgrade' });
    // an older release knew only the first core migrations
    await store.migrate('core', coreMigrations.slice(0, 3));
    const session = await store.sessions.create({ name: 'kept', settings: defaultSessionSettings });
    await store.migrate('shop', plugin(1));
    await store.sql.query('INSERT INTO "items" ("label") VALUES (?), (?)', ['a', 'b']);

    await store.init();
    await store.migrate('shop', plugin(3));
    expect(await store.sessions.get(session.id)).toEqual(session);
    expect(await store.sql.query('SELECT "label", "note" FROM "items" ORDER BY "id"')).toEqual([
      { label: 'a', note: null },
      { label: 'b', note: null },
    ]);
    const pending = (await store.migrationStatus({ shop: plugin(3) })).filter((s) => s.appliedAt === null);
    expect(pending).toEqual([]);
  });

  it('goes down then up again, only on request', async () => {
    const store = stores.create({ schema: 'downup' });
    await store.init();
    await store.migrate('shop', plugin(3));
    expect(await store.migrateDown('shop', plugin(3), { steps: 2 })).toEqual([
      '003_item_index',
      '002_item_notes',
    ]);
    const status = await store.migrationStatus({ shop: plugin(3) });
    expect(status.filter((s) => s.owner === 'shop').map((s) => [s.name, s.appliedAt === null])).toEqual([
      ['001_items', false],
      ['002_item_notes', true],
      ['003_item_index', true],
    ]);
    expect(
      await count(
        store.sql.query(
          `SELECT count(*) AS n FROM information_schema.columns WHERE table_schema = 'downup' AND table_name = 'items' AND column_name = 'note'`,
        ),
      ),
    ).toBe(0);
    await store.migrate('shop', plugin(3));
    expect((await store.migrationStatus({ shop: plugin(3) })).every((s) => s.appliedAt !== null)).toBe(true);

    // core too: all the way down and back up on a fresh start
    expect(await store.migrateDown('core', coreMigrations, { steps: coreMigrations.length })).toHaveLength(
      coreMigrations.length,
    );
    expect(await store.sql.query(`SELECT to_regclass('downup.sessions') AS t`)).toEqual([{ t: null }]);
    await store.migrate('core', coreMigrations);
    await store.sessions.create({ name: 'again', settings: defaultSessionSettings });
  });

  it('refuses to go down through a migration without down', async () => {
    const store = stores.create({ schema: 'nodown' });
    await store.init();
    const once = [sqlMigration('001_once', ['CREATE TABLE "once" ("id" int)'])];
    await store.migrate('one', once);
    await expect(store.migrateDown('one', once)).rejects.toMatchObject({
      code: 'STORE_POSTGRES_MIGRATION_IRREVERSIBLE',
    });
    await expect(store.migrateDown('one', [])).rejects.toMatchObject({
      code: 'STORE_POSTGRES_MIGRATION_UNKNOWN',
    });
  });

  it('rolls back a failing migration set as a whole', async () => {
    const store = stores.create({ schema: 'failing' });
    await store.init();
    const broken = [
      sqlMigration('001_ok', ['CREATE TABLE "ok" ("id" int)']),
      sqlMigration('002_broken', ['CREATE TABLE "nope" ("id" no_such_type)']),
    ];
    await expect(store.migrate('broken', broken)).rejects.toThrow();
    expect(await store.sql.query(`SELECT to_regclass('failing.ok') AS t`)).toEqual([{ t: null }]);
    const status = (await store.migrationStatus({ broken })).filter((s) => s.owner === 'broken');
    expect(status.map((s) => [s.name, s.appliedAt])).toEqual([
      ['001_ok', null],
      ['002_broken', null],
    ]);
  });

  it('checksums the SQL of sqlMigration and the source of plain functions', () => {
    const a = sqlMigration('x', ['SELECT 1']);
    expect(migrationChecksum(a)).toBe(migrationChecksum(sqlMigration('x', ['SELECT 1'])));
    expect(migrationChecksum(a)).not.toBe(migrationChecksum(sqlMigration('x', ['SELECT 2'])));
    const fn = plugin(3)[2] as Migration;
    expect(migrationChecksum(fn)).toBe(migrationChecksum({ ...fn }));
    expect(migrationChecksum(fn)).not.toBe(migrationChecksum({ ...fn, down: undefined }));
  });
});

describe('three processes migrating one Postgres database at once', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('applies each migration exactly once', async () => {
    const { postgresStore } = await import('../src/index.js');
    const three = [1, 2, 3].map(() => postgresStore({ databaseUrl: db.url, pool: { max: 2 } }));
    try {
      const counted: Migration = {
        name: '002_count',
        async up(sql) {
          await sql.query('INSERT INTO "applies" ("n") VALUES (1)');
          await sql.query('SELECT pg_sleep(0.2)'); // widen the race window
        },
      };
      const list = [sqlMigration('001_applies', ['CREATE TABLE "applies" ("n" int)']), counted];
      await Promise.all(three.map((s) => s.init()));
      await Promise.all(three.map((s) => s.migrate('racer', list)));
      const [first] = three as [(typeof three)[number]];
      expect(await count(first.sql.query('SELECT count(*) AS n FROM "applies"'))).toBe(1);
      const rows = await first.sql.query<{ owner: string; name: string; n: string | number }>(
        'SELECT "owner", "name", count(*) AS n FROM zapgate_migrations GROUP BY 1, 2',
      );
      expect(rows).toHaveLength(coreMigrations.length + 2);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      await Promise.all(three.map((s) => s.close()));
    }
  });
});
