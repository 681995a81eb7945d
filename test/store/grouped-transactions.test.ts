import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { DomainError } from '../../src/core/errors.js';
import type { Repos } from '../../src/core/ports.js';
import type { TenantId } from '../../src/core/types.js';
import { DEFAULT_BATCH_SETTINGS } from '../../src/store/batcher.js';
import type { Database } from '../../src/store/database.js';
import { createGroupedTransactions } from '../../src/store/grouped-transactions.js';
import type { OpenedStore } from '../../src/store/index.js';
import { createBufferedOutbox } from '../../src/store/outbox.js';
import { translateDriverError } from '../../src/store/pg-errors.js';
import { engines, openTestStore } from '../helpers/store.js';

/** The work below writes through the transaction's handle itself (a tenant row) and its outbox. */
type ProbeRepos = Repos & { trx: Kysely<Database> };

for (const engine of engines()) {
  describe(`grouped transactions on ${engine}`, () => {
    let store: OpenedStore;
    let statements: string[] = [];
    before(async () => {
      store = await openTestStore(engine, { onQuery: (text) => statements.push(text) });
    });
    after(() => store.close());

    function grouped() {
      const reposFor = (trx: Kysely<Database>) => ({ trx }) as unknown as Repos;
      const alone = async <T>(work: (tx: Repos) => Promise<T>): Promise<T> => {
        try {
          return await store.db.transaction().execute(async (trx) => {
            const outbox = createBufferedOutbox(trx);
            const result = await work({ trx, outbox } as unknown as Repos);
            await outbox.flush();
            return result;
          });
        } catch (error) {
          throw translateDriverError(error);
        }
      };
      return createGroupedTransactions(store.db, reposFor, alone, { settings: { ...DEFAULT_BATCH_SETTINGS, windowMs: 2 }, maxInFlight: 1 });
    }

    /** Writes a tenant row named `name` and two events, then answers the id of the transaction it ran in. */
    const probe =
      (name: string, fail?: 'after-writing') =>
      async (repos: Repos): Promise<string> => {
        const { trx, outbox } = repos as ProbeRepos;
        const id = randomUUID();
        await trx.insertInto('tenants').values({ id, name, created_at: new Date() }).execute();
        for (const n of [1, 2]) {
          await outbox.append({
            id: `${name}-ev${n}`,
            tenantId: id as TenantId,
            siteId: null,
            event: { type: 'tenant.updated', accountUid: null, payload: { step: n } } as never,
            origin: { facade: 'cli' },
            createdAt: new Date(),
          });
        }
        if (fail) throw new DomainError('request.invalid_field', `${name} refused`);
        const { rows } = await sql<{ xid: string }>`SELECT txid_current()::text AS xid`.execute(trx);
        return rows[0]?.xid as string;
      };

    const tenantNamed = (name: string) => store.db.selectFrom('tenants').select('id').where('name', '=', name).executeTakeFirst();
    const eventsOf = async (name: string) =>
      (await store.db.selectFrom('outbox_events').select('id').where('id', 'like', `${name}-ev%`).orderBy('seq').execute()).map((r) => r.id);

    it('shares one transaction among people, never two calls for one person, and a failing call fails alone', async () => {
      const run = grouped();
      const tag = randomUUID().slice(0, 8);
      const taken = `taken-${tag}`;
      await store.db.insertInto('tenants').values({ id: randomUUID(), name: taken, created_at: new Date() }).execute();
      statements = [];
      const calls: Array<[person: string, name: string, fail?: 'after-writing' | 'duplicate']> = [
        ['A', `a1-${tag}`],
        ['B', `b1-${tag}`],
        ['A', `a2-${tag}`],
        ['C', `c1-${tag}`, 'after-writing'],
        ['D', `d1-${tag}`, 'duplicate'],
        ['A', `a3-${tag}`],
        ['E', `e1-${tag}`],
      ];
      const outcomes = await Promise.allSettled(
        calls.map(([person, name, fail]) => run(person, fail === 'duplicate' ? probe(taken) : probe(name, fail === 'after-writing' ? fail : undefined))),
      );
      const xid = (i: number) => {
        const outcome = outcomes[i];
        assert.equal(outcome?.status, 'fulfilled', `call ${i}`);
        return (outcome as PromiseFulfilledResult<string>).value;
      };
      // The first batch holds A1, B1, C1, D1 and E1; A2 and A3 wait for batches of their own.
      assert.equal(xid(0), xid(1), 'A1 and B1 shared one transaction');
      assert.equal(xid(0), xid(6), 'and so did E1');
      assert.equal(new Set([xid(0), xid(2), xid(5)]).size, 3, 'the three calls for A ran in three transactions');

      const failed = outcomes[3] as PromiseRejectedResult;
      assert.equal(failed.status, 'rejected');
      assert.equal((failed.reason as Error).message, `c1-${tag} refused`, 'the failing call gets its own error');
      const duplicate = outcomes[4] as PromiseRejectedResult;
      assert.equal(duplicate.status, 'rejected');
      assert.equal((duplicate.reason as DomainError).code, 'tenant.name_taken', 'a driver error is translated as in a transaction of its own');

      for (const i of [0, 1, 2, 5, 6]) {
        const name = calls[i]?.[1] as string;
        assert.ok(await tenantNamed(name), `${name} committed`);
        assert.deepEqual(await eventsOf(name), [`${name}-ev1`, `${name}-ev2`], `${name}: its own events, in order`);
      }
      assert.equal(await tenantNamed(`c1-${tag}`), undefined, 'the failed call wrote nothing');
      assert.deepEqual(await eventsOf(`c1-${tag}`), []);
      assert.deepEqual(await eventsOf(taken), [], 'nor did the call that hit the unique index');
      assert.equal(statements.filter((s) => s === 'SAVEPOINT grouped_call').length, 5, 'one savepoint per call of the shared batch');
      assert.equal(statements.filter((s) => s.startsWith('insert into "outbox_events"')).length, 3, 'one events insert per batch');
    });

    it('runs a call that hit a deadlock or serialization failure again on its own', async () => {
      const run = grouped();
      const tag = randomUUID().slice(0, 8);
      let attempts = 0;
      const flaky = async (repos: Repos) => {
        attempts++;
        if (attempts === 1) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
        return probe(`flaky-${tag}`)(repos);
      };
      const [first, second] = await Promise.all([run('P', probe(`steady-${tag}`)), run('Q', flaky)]);
      assert.equal(attempts, 2);
      assert.notEqual(first, second, 'the retry ran in a transaction of its own');
      assert.ok(await tenantNamed(`flaky-${tag}`));
      assert.deepEqual(await eventsOf(`flaky-${tag}`), [`flaky-${tag}-ev1`, `flaky-${tag}-ev2`]);
    });
  });
}
