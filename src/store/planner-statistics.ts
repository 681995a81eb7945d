import { type Kysely, sql } from 'kysely';
import type { Database } from './database.js';

/*
 * Planner statistics where no autovacuum gathers them: the embedded store (PGlite runs no
 * background workers) and PostgreSQL with autovacuum off. A plan made while a table was empty
 * stays cached for as long as nothing invalidates it. The foreign-key check behind every new
 * subscription and identifier was planned that way on a new embedded store: it walked all of the
 * tenant's accounts through accounts_created_at instead of looking one up by primary key, so each
 * import cost more than the one before (0.9 ms an account at 2,000 accounts, 2.5 ms at 12,000;
 * flat at 0.5-0.6 ms once analysed). An ANALYZE replaces the statistics and invalidates the
 * plans made from the old ones.
 */

/** How often the store looks for tables that grew enough to analyse. */
export const STATISTICS_CHECK_MS = 10_000;

/**
 * Analyses the tables of the current schema that more than doubled (plus 50 rows) since their
 * last analysis, or were never analysed; returns their names. Growth is what makes a cached plan
 * wrong (one made for an empty table); a table that only churns keeps its plans (the event
 * worker analyses the queue tables itself). Autovacuum's rule (a tenth of the table changed)
 * analysed the busy outbox tables every pass on the embedded store, and ANALYZE runs on the
 * server's own thread there: the embedded benchmark scenarios lost a third to three quarters of
 * their throughput. Doubling keeps it to a few passes per table over the life of a store.
 */
export async function analyzeGrownTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT s.relname AS name
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = current_schema() AND s.n_live_tup > 50 + 2 * greatest(c.reltuples, 0)
     ORDER BY s.relname`.execute(db);
  for (const { name } of rows) await sql`ANALYZE ${sql.id(name)}`.execute(db);
  return rows.map((row) => row.name);
}

/** Whether the database gathers statistics itself (PostgreSQL's autovacuum is on). */
export async function autovacuumRuns(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ on: boolean }>`SELECT current_setting('autovacuum')::boolean AS on`.execute(db);
  return rows[0]?.on === true;
}

/**
 * Every `intervalMs` until stopped, analyses the grown tables when `needed()` says no autovacuum
 * does it (checked at each pass: an operator may turn autovacuum on or off while Roster runs).
 * stop() waits for a pass in progress, so the store can close after it. A failed pass is reported
 * once until a pass succeeds again (a database that is down fails every pass).
 */
export function keepPlannerStatistics(
  db: Kysely<Database>,
  options: { intervalMs: number; needed: () => Promise<boolean>; onError: (error: unknown) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let failing = false;
  let pass: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const runPass = async () => {
    try {
      if (await options.needed()) await analyzeGrownTables(db);
      failing = false;
    } catch (error) {
      if (!failing) options.onError(error);
      failing = true;
    }
  };
  const schedule = () => {
    timer = setTimeout(() => {
      pass = runPass().then(() => {
        if (!stopped) schedule();
      });
    }, options.intervalMs);
    // A process with nothing else to do exits; statistics are no reason to stay.
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
