import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { buildApp } from '../../../src/app.js';
import type { AccountUid } from '../../../src/core/types.js';
import { accountSearchQuery } from '../../../src/store/account-search.js';
import { buildTestApp, type TestApp, testConfig } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';
import { seedAccounts } from '../../helpers/seed.js';
import { testCore } from '../../helpers/store.js';

/**
 * accounts.search cursors (gigya-wire §7) at export scale: the real incremental lite export
 * over 25 000 lite accounts (plus 2 500 full ones it must skip), with writes between pages.
 */

let t: TestApp;
let f: GigyaFixture;
const LITE = 25_000;
const base = new Date(Date.now() - 3_600_000);

const creds = (extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });

type Row = { UID: string; lastUpdatedTimestamp: number; hasLiteAccount: boolean; hasFullAccount: boolean; email: string };
type Page = { results: Row[]; objectsCount: number; totalCount: number; nextCursorId?: string };

async function search(params: Record<string, string>): Promise<Page> {
  const r = await call(t.app, 'accounts.search', creds(params));
  assert.equal(r.body.errorCode, 0, r.raw.slice(0, 500));
  return r.body as unknown as Page;
}

before(async () => {
  t = await buildTestApp();
  f = await gigyaFixture(t.core);
  // Timestamps spread over 5 s only: about five accounts share every millisecond.
  await seedAccounts(t.store, f.tenant.id, { from: 1, to: LITE, prefix: 'lite', base, spreadMs: 5000, lite: true, full: false });
  await seedAccounts(t.store, f.tenant.id, { from: 1, to: 2500, prefix: 'full', base, spreadMs: 5000, lite: true, full: true });
  if (t.store.engine === 'postgres') await sql`ANALYZE accounts`.execute(t.store.db);
  await sql`ANALYZE identifiers`.execute(t.store.db);
});

after(async () => {
  await t.close();
});

describe('accounts.search with openCursor', () => {
  it('exports 25 000 lite accounts exactly once across pages while writes go on; a page can be asked again', async () => {
    const query = `SELECT * FROM emailAccounts WHERE lastUpdatedTimestamp >= ${base.getTime()} AND hasLiteAccount=true AND hasFullAccount=false ORDER BY lastUpdatedTimestamp LIMIT 10000`;
    const started = Date.now();
    const first = await search({ query, openCursor: 'true' });
    assert.equal(first.objectsCount, 10_000);
    assert.equal(first.totalCount, LITE);
    assert.ok(first.nextCursorId);
    const seen = new Map<string, number>();
    const order: number[] = [];
    const take = (page: Page) => {
      for (const row of page.results) {
        seen.set(row.UID, (seen.get(row.UID) ?? 0) + 1);
        order.push(row.lastUpdatedTimestamp);
        assert.equal(row.hasLiteAccount, true);
        assert.equal(row.hasFullAccount, false);
      }
    };
    take(first);

    // Writes between pages: one account already delivered, one not yet delivered, one new account.
    const delivered = first.results[17] as Row;
    const pending = await t.store.db
      .selectFrom('accounts')
      .select('uid')
      .where('tenant_id', '=', f.tenant.id)
      .where('has_full_account', '=', false)
      .orderBy('updated_at', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    assert.ok(!seen.has(pending.uid));
    for (const uid of [delivered.UID, pending.uid]) {
      await t.core.accounts.update(f.ctx, uid as AccountUid, (a) => ({ patch: { data: { ...a.data, touched: true } }, changed: ['data.touched'] }));
    }
    await t.core.accounts.upsertLite(f.ctx, { email: 'new-during-export@example.com' }, { via: 'lite' });

    let cursorId: string | undefined = first.nextCursorId;
    let pages = 1;
    let retried = false;
    while (cursorId) {
      const page = await search({ cursorId });
      if (!retried) {
        // A failed page is asked again with the same cursorId: the same page comes back.
        const again = await search({ cursorId });
        assert.deepEqual(
          again.results.map((r) => r.UID),
          page.results.map((r) => r.UID),
        );
        retried = true;
      }
      assert.equal(page.totalCount, LITE);
      take(page);
      pages++;
      cursorId = page.nextCursorId;
    }
    const elapsed = Date.now() - started;
    assert.equal(pages, 3);
    assert.ok(
      [...seen.values()].every((n) => n === 1),
      'no account twice',
    );
    // Every account not written during the export, exactly once; the one written before its page
    // moved past the snapshot (the next incremental export from the snapshot picks it up).
    assert.equal(seen.size, LITE - 1);
    assert.equal(seen.has(pending.uid), false);
    assert.equal(seen.get(delivered.UID), 1);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
    );
    console.log(`export of ${LITE} accounts in ${pages} pages of 10000 took ${elapsed} ms on ${t.store.engine}`);

    const after = await search({ query: `SELECT UID FROM emailAccounts WHERE lastUpdatedTimestamp > ${base.getTime() + 5000} AND hasFullAccount=false` });
    assert.deepEqual(
      after.results.map((r) => r.UID).sort(),
      [pending.uid, delivered.UID, (await t.core.accounts.findByIdentifier(f.ctx, 'email', 'new-during-export@example.com'))?.uid].sort(),
    );
  });

  it('a cursor is served by another Roster instance over the same database (state is in the store)', async () => {
    const other = await buildApp({ config: testConfig(), core: testCore(t.store), store: t.store });
    try {
      const first = await search({ query: 'SELECT UID FROM emailAccounts ORDER BY profile.n DESC LIMIT 700', openCursor: 'true' });
      const uids = first.results.map((r) => r.UID);
      let cursorId: string | undefined = first.nextCursorId;
      while (cursorId) {
        const r = await call(other, 'accounts.search', creds({ cursorId }));
        assert.equal(r.body.errorCode, 0, r.raw.slice(0, 300));
        const page = r.body as unknown as Page;
        assert.ok(
          page.results.every((row) => Object.keys(row).join() === 'UID'),
          'the projection travels with the cursor',
        );
        uids.push(...page.results.map((row) => row.UID));
        cursorId = page.nextCursorId;
      }
      assert.equal(uids.length, first.totalCount);
      assert.equal(new Set(uids).size, uids.length);
    } finally {
      await other.close();
    }
  });

  it('no nextCursorId on the last page; an expired cursor is 400006; START with a cursor is refused', async () => {
    const small = await search({ query: 'SELECT UID FROM accounts LIMIT 5000', openCursor: 'true' });
    assert.equal(small.objectsCount, 2500);
    assert.equal(small.nextCursorId, undefined);
    const paged = await search({ query: 'SELECT UID FROM accounts LIMIT 1000', openCursor: 'true' });
    assert.ok(paged.nextCursorId);
    await t.store.db
      .updateTable('search_cursors')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('id', '=', paged.nextCursorId as string)
      .execute();
    const expired = await call(t.app, 'accounts.search', creds({ cursorId: paged.nextCursorId }));
    assert.equal(expired.body.errorCode, 400006);
    const started = await call(t.app, 'accounts.search', creds({ query: 'SELECT * FROM accounts START 10 LIMIT 10', openCursor: 'true' }));
    assert.equal(started.body.errorCode, 400006);
  });

  it('email, UID and lastUpdatedTimestamp lookups use indexes (EXPLAIN, PostgreSQL)', async (ctx) => {
    if (t.store.engine !== 'postgres') {
      ctx.skip('EXPLAIN plans are checked on PostgreSQL (set DATABASE_URL)');
      return;
    }
    const plan = async (filter: Parameters<typeof accountSearchQuery>[2]['query']['filter']) => {
      const rows = await accountSearchQuery(t.store.db, f.tenant.id, {
        query: { filter, sort: [] },
        updatedAtMost: null,
        after: null,
        offset: 0,
        limit: 10,
      }).explain();
      return rows.map((r) => String(Object.values(r)[0])).join('\n');
    };
    const byEmail = await plan({ op: 'eq', field: { kind: 'column', column: 'email' }, value: 'lite77@seed.example' });
    assert.match(byEmail, /Index (Only )?Scan using identifiers_pkey/, byEmail);
    assert.doesNotMatch(byEmail, /Seq Scan on accounts/, byEmail);
    const byUid = await plan({ op: 'eq', field: { kind: 'column', column: 'uid' }, value: 'abc' });
    assert.match(byUid, /Index Scan using accounts_pkey/, byUid);
    const byTime = await plan({
      op: 'and',
      filters: [
        { op: 'ge', field: { kind: 'column', column: 'updatedAt' }, value: base.getTime() + 4990 },
        { op: 'lt', field: { kind: 'column', column: 'updatedAt' }, value: base.getTime() + 4995 },
      ],
    });
    assert.match(byTime, /Index Scan using accounts_updated_at|Bitmap Index Scan on accounts_updated_at/, byTime);
    const started = performance.now();
    const found = await search({ query: 'SELECT UID FROM emailAccounts WHERE email = "lite77@seed.example"' });
    console.log(`search by email over ${LITE + 2500} accounts: ${(performance.now() - started).toFixed(1)} ms (HTTP round trip)`);
    assert.equal(found.objectsCount, 1);
  });
});
