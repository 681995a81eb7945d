import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Our own small migration runner, on Kysely's bookkeeping table (`kysely_migration`: name, ISO
 * timestamp), so a database migrated by Kysely's Migrator before is read as it stands.
 *
 * Why not Kysely's Migrator: it takes a session-level pg_advisory_lock before its transaction and
 * releases it after. Through PgBouncer in transaction pooling each of those statements may run on
 * a different server connection, so the unlock misses and the lock leaks: the next migrator hangs.
 * Here the lock is pg_advisory_xact_lock inside the one migration transaction, released by its
 * commit or rollback on whichever server connection ran it.
 */

export const MIGRATION_TABLE = 'kysely_migration';
/** Kysely's own lock key, so a process still running Kysely's Migrator is serialised with us too. */
const LOCK_KEY = '3853314791062309107';

export interface MigrationRun {
  /** Names applied by this call, in order; empty when the database was up to date. */
  applied: string[];
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run on any schema, as Kysely's Migration.up does
type AnyDb = Kysely<any>;

export async function migrateToLatest(db: AnyDb, migrations: Record<string, Migration>): Promise<MigrationRun> {
  const names = Object.keys(migrations).sort();
  // The common case (every start of every process) is a database already up to date: one read,
  // no transaction, no lock.
  const done = await executedNames(db);
  if (done && names.every((name) => done.has(name))) {
    checkNoneMissing(done, names);
    return { applied: [] };
  }
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${sql.lit(LOCK_KEY)}::bigint)`.execute(trx);
    // Under the lock: another process may have migrated (or created the table) while we waited.
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(MIGRATION_TABLE)} (name varchar(255) NOT NULL PRIMARY KEY, timestamp varchar(255) NOT NULL)`.execute(trx);
    const executed = (await executedNames(trx)) ?? new Set<string>();
    checkNoneMissing(executed, names);
    const applied: string[] = [];
    for (const name of names) {
      if (executed.has(name)) continue;
      await (migrations[name] as Migration).up(trx);
      await sql`INSERT INTO ${sql.table(MIGRATION_TABLE)} (name, timestamp) VALUES (${name}, ${new Date().toISOString()})`.execute(trx);
      applied.push(name);
    }
    return { applied };
  });
}

/** The names already applied, or undefined when the bookkeeping table does not exist yet. */
async function executedNames(db: AnyDb): Promise<Set<string> | undefined> {
  const table = await sql<{ exists: string | null }>`SELECT to_regclass(${MIGRATION_TABLE})::text AS exists`.execute(db);
  if (!table.rows[0]?.exists) return undefined;
  const rows = await sql<{ name: string }>`SELECT name FROM ${sql.table(MIGRATION_TABLE)}`.execute(db);
  return new Set(rows.rows.map((row) => row.name));
}

/** A database that ran a migration this code does not know is newer than the code: refuse it. */
function checkNoneMissing(executed: Set<string>, known: string[]): void {
  const unknown = [...executed].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`corrupted migrations: previously executed migration ${unknown[0]} is missing`);
}
