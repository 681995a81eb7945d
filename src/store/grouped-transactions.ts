import { type Kysely, sql } from 'kysely';
import type { OutboxRecord, Repos } from '../core/ports.js';
import { type BatcherOptions, createBatcher } from './batcher.js';
import type { Database } from './database.js';
import { createBufferedOutbox, insertOutboxRecords } from './outbox.js';
import { isLockConflict, translateDriverError, translatingErrors } from './pg-errors.js';

/*
 * Group commit for writes that are transactions of several statements and per-row logic in the
 * core (setAccountInfo, unsubscribe, the import's merge into an existing account, Boostcom create
 * and update, Naviga provider synchronisation). Their SQL depends on what each call reads first,
 * so it is not rewritten set-based: concurrent transactions for different people run one after
 * another inside ONE database transaction and commit together, and their events are written by
 * one multi-row insert just before that commit. Each call runs in its own savepoint: one that
 * fails is rolled back alone and gets its own error while the others commit.
 */

type Work<T> = (tx: Repos) => Promise<T>;

interface Grouped {
  person: string;
  work: Work<unknown>;
}

type Outcome = { value: unknown } | { error: unknown };

/**
 * Most calls in one shared transaction: PostgreSQL keeps the ids of 64 subtransactions (savepoints
 * that wrote) per transaction in shared memory; past that, every snapshot taken while it runs is slower.
 */
const MAX_SAVEPOINTS = 64;

/**
 * `reposFor` gives the repos of a transaction; `alone` runs one work as its own transaction (the
 * unbatched path, also what a single-call batch and every retry use).
 */
export function createGroupedTransactions(
  db: Kysely<Database>,
  reposFor: (trx: Kysely<Database>) => Repos,
  alone: <T>(work: Work<T>) => Promise<T>,
  options: BatcherOptions<Grouped>,
): <T>(person: string, work: Work<T>) => Promise<T> {
  const runShared = (calls: Grouped[]) =>
    db.transaction().execute(async (trx) => {
      const repos = reposFor(trx);
      const events: OutboxRecord[] = [];
      const outcomes: Outcome[] = [];
      for (const { work } of calls) {
        const outbox = createBufferedOutbox(trx);
        // Never released: each call's savepoint nests in the previous one and ROLLBACK TO undoes
        // only the latest, so a release would be one more round trip for nothing.
        await sql`SAVEPOINT grouped_call`.execute(trx);
        try {
          outcomes.push({ value: await work({ ...repos, outbox: translatingErrors(outbox) }) });
          events.push(...outbox.take());
        } catch (error) {
          await sql`ROLLBACK TO SAVEPOINT grouped_call`.execute(trx);
          outcomes.push({ error });
        }
      }
      await insertOutboxRecords(trx, events);
      return outcomes;
    });

  const run = createBatcher<Grouped, Outcome>(
    async (calls) => {
      if (calls.length > 1) return runShared(calls);
      // A call alone needs no savepoint; its error rejects it (the batcher's single-call path).
      return [{ value: await alone((calls[0] as Grouped).work) }];
    },
    { ...options, settings: { ...options.settings, maxSize: Math.min(options.settings.maxSize, MAX_SAVEPOINTS) }, conflictKey: (call) => call.person },
  );

  return async <T>(person: string, work: Work<T>): Promise<T> => {
    const outcome = await run({ person, work });
    if ('value' in outcome) return outcome.value as T;
    // A shared commit holds locks longer: a call that met a deadlock in it is run again alone.
    if (isLockConflict(outcome.error)) return alone(work);
    throw translateDriverError(outcome.error);
  };
}
