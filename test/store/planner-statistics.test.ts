import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Core } from '../../src/core/index.js';
import type { CallContext } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { analyzeGrownTables } from '../../src/store/planner-statistics.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

/** Imports accounts from..from+n (each with two subscriptions: two foreign-key checks on accounts). */
async function importAccounts(core: Core, ctx: CallContext, from: number, n: number): Promise<void> {
  const subscriptions = [
    { subscriptionId: 'news', channel: 'email' as const, isSubscribed: true },
    { subscriptionId: 'offers', channel: 'email' as const, isSubscribed: false },
  ];
  await Promise.all(
    Array.from({ length: n }, (_, i) => core.accounts.upsertLite(ctx, { email: `p${from + i}@stats.example`, subscriptions }, { via: 'import' })),
  );
}

/** Index scans of accounts_created_at so far (the statistics collector's count, flushed first). */
async function createdAtScans(store: OpenedStore): Promise<number> {
  await sql`SELECT pg_stat_force_next_flush()`.execute(store.db);
  await sql`SELECT 1`.execute(store.db);
  const { rows } = await sql<{ n: string }>`SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = 'accounts_created_at'`.execute(store.db);
  return Number(rows[0]?.n);
}

describe('planner statistics on the embedded store (no autovacuum)', () => {
  it('once the store analyses its tables, the foreign-key checks of new accounts look them up by primary key', async () => {
    const store = await openTestStore('pglite', { statisticsCheckMs: 0 });
    try {
      const core = testCore(store);
      const { ctx } = await newTenant(core);
      // The first imports plan the checks against empty tables.
      await importAccounts(core, ctx, 0, 100);
      let before = await createdAtScans(store);
      await importAccounts(core, ctx, 100, 50);
      // The stale plan: every check walks the tenant's accounts in creation order.
      assert.ok((await createdAtScans(store)) - before >= 50, 'checks planned on an empty table scan accounts_created_at');

      assert.ok((await analyzeGrownTables(store.db)).includes('accounts'));
      before = await createdAtScans(store);
      await importAccounts(core, ctx, 150, 100);
      assert.equal((await createdAtScans(store)) - before, 0);
      // 250 rows after an analysis at 150 have not doubled: not analysed again (autovacuum's rule,
      // a tenth changed, would have, and analysing busy tables on every pass cost the embedded store).
      assert.ok(!(await analyzeGrownTables(store.db)).includes('accounts'));
    } finally {
      await store.close();
    }
  });

  it('the store analyses grown tables by itself, and close() waits for a pass in progress', async () => {
    const store = await openTestStore('pglite', { statisticsCheckMs: 20 });
    const analysed = async () => {
      const { rows } = await sql<{ n: string }>`SELECT analyze_count AS n FROM pg_stat_user_tables WHERE relname = 'accounts'`.execute(store.db);
      return Number(rows[0]?.n);
    };
    try {
      const core = testCore(store);
      const { ctx } = await newTenant(core);
      await importAccounts(core, ctx, 0, 100);
      const deadline = Date.now() + 10_000;
      while ((await analysed()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok((await analysed()) > 0, 'accounts analysed within 10 s');
    } finally {
      // Closing while passes run every 20 ms: close() stops them and waits for the one in progress.
      await store.close();
    }
  });
});
