import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/database.js';

/** Every row of every Roster table and every sequence position, at one instant. */
export interface StoreSnapshot {
  tables: Array<{ name: string; rows: string }>;
  sequences: Array<{ name: string; lastValue: string | null }>;
  takenAt: Date;
}

const VACUUM_EVERY = 100;

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Whole-store snapshots for the emulator, in SQL: each table read as one JSON array, written
 * back with json_populate_recordset. The emulator's store is a small in-memory PGlite, so a
 * restore (delete and re-insert) takes milliseconds, against half a second to start a new
 * PGlite from a dumped cluster. Triggers (the outbox fan-out) and foreign keys are off while
 * rows are written back (session_replication_role = replica): the rows are already consistent.
 * Kysely's migration bookkeeping is left alone. Not for a shared PostgreSQL: it replaces every
 * tenant's rows.
 */
export function createStoreSnapshots(db: Kysely<Database>) {
  let tables: string[] | undefined;
  let restores = 0;
  const listTables = async () => {
    tables ??= (
      await sql<{
        name: string;
      }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'kysely\\_%' ORDER BY tablename`.execute(db)
    ).rows.map((r) => r.name);
    return tables;
  };

  return {
    async take(): Promise<StoreSnapshot> {
      const names = await listTables();
      return db.transaction().execute(async (trx) => {
        const sequences = (
          await sql<{
            name: string;
            lastValue: string | null;
          }>`SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name, last_value::text AS "lastValue"
            FROM pg_sequences WHERE schemaname = current_schema()`.execute(trx)
        ).rows;
        const tableRows = [];
        for (const name of names) {
          const { rows } = await sql<{ rows: string }>`SELECT coalesce(json_agg(t), '[]')::text AS rows FROM ${sql.raw(quote(name))} t`.execute(trx);
          tableRows.push({ name, rows: rows[0]?.rows ?? '[]' });
        }
        return { tables: tableRows, sequences, takenAt: new Date() };
      });
    },

    async restore(snapshot: StoreSnapshot): Promise<void> {
      const names = await listTables();
      await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL session_replication_role = replica`.execute(trx);
        // DELETE, not TRUNCATE: on tables this small it is half the cost (no new relation files).
        for (const name of names) await sql`DELETE FROM ${sql.raw(quote(name))}`.execute(trx);
        for (const table of snapshot.tables) {
          if (table.rows === '[]') continue;
          const name = sql.raw(quote(table.name));
          await sql`INSERT INTO ${name} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${name}, ${table.rows}::json)`.execute(trx);
        }
        for (const sequence of snapshot.sequences) {
          // A sequence never used has no last_value: it starts again at 1.
          await sql`SELECT setval(${sequence.name}::regclass, ${sequence.lastValue ?? '1'}::bigint, ${sequence.lastValue !== null})`.execute(trx);
        }
      });
      // The deleted rows stay as dead tuples until a vacuum, and an embedded PGlite runs none by itself.
      if (++restores % VACUUM_EVERY === 0) await sql`VACUUM`.execute(db);
    },
  };
}

export type StoreSnapshots = ReturnType<typeof createStoreSnapshots>;

export class UnknownSnapshotError extends Error {
  override readonly name = 'UnknownSnapshotError';
}
