import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Kysely, type Migration, Migrator, sql } from 'kysely';
import pg from 'pg';
import { type OpenedStore, openStore } from '../../src/store/index.js';
import { migrations } from '../../src/store/migrations/index.js';
import { MIGRATION_TABLE, migrateToLatest } from '../../src/store/migrator.js';
import { engines, openTestStore } from '../helpers/store.js';

// biome-ignore lint/suspicious/noExplicitAny: the runner works on any schema
type AnyDb = Kysely<any>;

const databaseUrl = process.env.DATABASE_URL;

/** A migration creating one table, counting its runs in `runs` (the proof that it ran once). */
function createsTable(table: string, runs: string[] = []): Migration {
  return {
    async up(db) {
      runs.push(table);
      await sql`CREATE TABLE ${sql.table(table)} (id int PRIMARY KEY)`.execute(db);
    },
  };
}

async function applied(db: AnyDb): Promise<string[]> {
  const rows = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)} ORDER BY name`.execute(db);
  return rows.rows.map((row) => row.name);
}

async function tableExists(db: AnyDb, table: string): Promise<boolean> {
  const rows = await sql<{ found: string | null }>`SELECT to_regclass(${table})::text AS found`.execute(db);
  return rows.rows[0]?.found !== null;
}

async function freshEmbedded(): Promise<OpenedStore> {
  return openStore({ engine: 'pglite', dataDir: undefined });
}

/** A new, empty PostgreSQL database next to DATABASE_URL's (through PgBouncer too, when that is the URL). */
async function withFreshDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const name = `roster_migrator_${process.pid}_${Date.now().toString(36)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(databaseUrl as string);
    url.pathname = `/${name}`;
    await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

describe('migration runner', () => {
  for (const engine of engines()) {
    it(`on ${engine}: an up-to-date database is checked with reads only (no transaction, no lock)`, async () => {
      const statements: string[] = [];
      const store = await openTestStore(engine, { onQuery: (text) => statements.push(text) });
      try {
        statements.length = 0;
        assert.deepEqual((await store.migrate()).applied, []);
        assert.ok(statements.length > 0 && statements.length <= 4, statements.join('\n'));
        for (const text of statements) assert.match(text, /^\s*select\b/i);
        assert.ok(!statements.some((text) => /advisory/i.test(text)));
      } finally {
        await store.close();
      }
    });
  }

  it('applies pending migrations in name order, once, and only the new ones on the next run', async () => {
    const store = await freshEmbedded();
    try {
      const runs: string[] = [];
      const first = { '0002_b': createsTable('t_b', runs), '0001_a': createsTable('t_a', runs) };
      assert.deepEqual((await migrateToLatest(store.db, first)).applied, ['0001_a', '0002_b']);
      // A migration numbered in an earlier range that lands later still runs (areas merge in any order).
      const later = { ...first, '0001_0_between': createsTable('t_between', runs), '0003_c': createsTable('t_c', runs) };
      assert.deepEqual((await migrateToLatest(store.db, later)).applied, ['0001_0_between', '0003_c']);
      assert.deepEqual((await migrateToLatest(store.db, later)).applied, []);
      assert.deepEqual(runs, ['t_a', 't_b', 't_between', 't_c']);
      assert.deepEqual(await applied(store.db), ['0001_0_between', '0001_a', '0002_b', '0003_c']);
    } finally {
      await store.close();
    }
  });

  it('rolls back every migration of a run when one fails: nothing is recorded, no table is left', async () => {
    const store = await freshEmbedded();
    try {
      const failing: Migration = {
        async up() {
          throw new Error('migration 0002 failed');
        },
      };
      await assert.rejects(migrateToLatest(store.db, { '0001_a': createsTable('t_a'), '0002_fails': failing }), /migration 0002 failed/);
      assert.equal(await tableExists(store.db, 't_a'), false);
      assert.equal(await tableExists(store.db, MIGRATION_TABLE), false);
    } finally {
      await store.close();
    }
  });

  it("reads a database migrated by Kysely's own Migrator as it stands", async () => {
    const store = await freshEmbedded();
    try {
      const old = { '0001_a': createsTable('t_a'), '0002_b': createsTable('t_b') };
      const result = await new Migrator({ db: store.db, provider: { getMigrations: async () => old } }).migrateToLatest();
      assert.equal(result.error, undefined);
      assert.deepEqual((await migrateToLatest(store.db, old)).applied, []);
      assert.deepEqual((await migrateToLatest(store.db, { ...old, '0003_c': createsTable('t_c') })).applied, ['0003_c']);
    } finally {
      await store.close();
    }
  });

  it('refuses a database that ran a migration this code does not know (it is newer than the code)', async () => {
    const store = await freshEmbedded();
    try {
      await migrateToLatest(store.db, { '0001_a': createsTable('t_a'), '0002_b': createsTable('t_b') });
      await assert.rejects(migrateToLatest(store.db, { '0001_a': createsTable('t_a') }), /previously executed migration 0002_b is missing/);
    } finally {
      await store.close();
    }
  });

  it('migrates the real schema on an empty embedded store, every migration recorded', async () => {
    const store = await freshEmbedded();
    try {
      assert.deepEqual((await store.migrate()).applied, Object.keys(migrations).sort());
      assert.deepEqual(await applied(store.db), Object.keys(migrations).sort());
    } finally {
      await store.close();
    }
  });

  if (databaseUrl) {
    it('on PostgreSQL: five stores migrating one fresh database at once apply each migration once, and leave no lock behind', async () => {
      await withFreshDatabase(async (url) => {
        const stores = await Promise.all(Array.from({ length: 5 }, () => openStore({ engine: 'postgres', databaseUrl: url, poolSize: 2 })));
        const [first, second] = stores;
        try {
          assert.ok(first && second);
          const runs = await Promise.all(stores.map((store) => store.migrate()));
          const all = runs.flatMap((run) => run.applied).sort();
          assert.deepEqual(all, Object.keys(migrations).sort(), 'every migration applied by exactly one store');
          assert.equal(runs.filter((run) => run.applied.length > 0).length, 1, 'one store did the work, the others found it done');
          assert.deepEqual(await applied(first.db), Object.keys(migrations).sort());
          // The lock went with the transaction: another session takes it at once (a leaked session lock would refuse).
          const free = await second.db
            .transaction()
            .execute((trx) => sql<{ got: boolean }>`SELECT pg_try_advisory_xact_lock(3853314791062309107::bigint) AS got`.execute(trx));
          assert.equal(free.rows[0]?.got, true);
        } finally {
          await Promise.all(stores.map((store) => store.close()));
        }
      });
    });
  }
});
