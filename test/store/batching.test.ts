import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import type { Core } from '../../src/core/index.js';
import type { AccountKey, NewAccount, OutboxRecord } from '../../src/core/ports.js';
import type { AccountUid, Subscription, TenantId } from '../../src/core/types.js';
import { createAccountViewRepo, createCoalescingAccountViewRepo } from '../../src/store/account-views.js';
import { createBatcher, DEFAULT_BATCH_SETTINGS } from '../../src/store/batcher.js';
import type { Database } from '../../src/store/database.js';
import { batchHitCounts, batchNonceClaims, groupCommitNewAccounts } from '../../src/store/group-commit.js';
import type { OpenedStore } from '../../src/store/index.js';
import { engines, newTenant, openTestStore, testCore } from '../helpers/store.js';

const settings = { ...DEFAULT_BATCH_SETTINGS, windowMs: 2 };

/** The store's Kysely handle, counting the statements sent through it. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; statements: () => number } {
  let n = 0;
  const counted = db.withPlugin({
    transformQuery: (args) => {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db: counted, statements: () => n };
}

describe('batcher', () => {
  it('runs calls that arrive together as one batch, answers each caller, and keeps conflicting calls apart', async () => {
    const batches: string[][] = [];
    const call = createBatcher<string, string>(
      async (items) => {
        batches.push(items);
        return items.map((item) => item.toUpperCase());
      },
      { settings, maxInFlight: 1, conflictKey: (item) => item[0] as string },
    );
    const answers = await Promise.all(['a1', 'b1', 'a2', 'c1', 'a3'].map(call));
    assert.deepEqual(answers, ['A1', 'B1', 'A2', 'C1', 'A3']);
    // Calls with one conflict key ('a…') never share a batch, and keep their order.
    assert.deepEqual(batches, [['a1', 'b1', 'c1'], ['a2'], ['a3']]);
  });

  it('retries the others alone when a batch fails for one call', async () => {
    const batches: string[][] = [];
    const call = createBatcher<string, string>(
      async (items) => {
        batches.push(items);
        if (items.includes('bad')) throw new Error(`refused ${items.join(',')}`);
        return items;
      },
      { settings, maxInFlight: 1 },
    );
    const results = await Promise.allSettled(['x', 'bad', 'y'].map(call));
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['x', 'refused bad', 'y'],
    );
    assert.deepEqual(batches[0], ['x', 'bad', 'y']);
    assert.equal(batches.length, 4, 'the failed batch, then each call alone');
  });

  it('caps a batch at maxSize', async () => {
    const sizes: number[] = [];
    const call = createBatcher<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { settings: { ...settings, maxSize: 4 }, maxInFlight: 1 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => call(i)));
    assert.ok(Math.max(...sizes) <= 4);
    assert.equal(
      sizes.reduce((a, b) => a + b),
      10,
    );
  });
});

for (const engine of engines()) {
  describe(`batching on ${engine}`, () => {
    let store: OpenedStore;
    let core: Core;
    before(async () => {
      store = await openTestStore(engine);
      core = testCore(store);
    });
    after(() => store.close());

    it('answers concurrent account-view lookups with one statement per tenant and key kind, identical to one by one', async () => {
      const a = await newTenant(core);
      const b = await newTenant(core);
      const emails = Array.from({ length: 6 }, (_, i) => `reader${i}@example.com`);
      const inA = [];
      for (const email of emails) {
        inA.push(
          (
            await core.accounts.upsertLite(
              a.ctx,
              { email, profile: { n: email }, subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: true }] },
              { via: 'import' },
            )
          ).account,
        );
      }
      // Tenant B holds one of the same emails: a batch must never answer one tenant with the other's account.
      const inB = (await core.accounts.upsertLite(b.ctx, { email: emails[0] as string, profile: { tenant: 'b' } }, { via: 'import' })).account;
      await core.consents.set(a.ctx, inA[1]?.uid as AccountUid, [{ consentId: 'terms', isGranted: true, version: '1.0' }]);

      const lookups: Array<[TenantId, AccountKey]> = [
        ...inA.map((acc): [TenantId, AccountKey] => [a.tenant.id, { uid: acc.uid }]),
        ...emails.map((email): [TenantId, AccountKey] => [a.tenant.id, { identifier: { kind: 'email', value: email } }]),
        [b.tenant.id, { identifier: { kind: 'email', value: emails[0] as string } }],
        [b.tenant.id, { identifier: { kind: 'email', value: emails[1] as string } }], // not in B
        [b.tenant.id, { uid: inA[2]?.uid as AccountUid }], // A's uid asked in B
        [b.tenant.id, { uid: inB.uid }],
        [a.tenant.id, { uid: inA[0]?.uid as AccountUid }], // asked twice
        [a.tenant.id, { uid: 'f'.repeat(32) as AccountUid }], // nobody
      ];
      const plain = createAccountViewRepo(store.db);
      const expected = [];
      for (const [tenantId, key] of lookups) expected.push(await plain.find(tenantId, key));

      const { db, statements } = counting(store.db);
      const coalescing = createCoalescingAccountViewRepo(db, createAccountViewRepo(db), { settings, maxInFlight: 1 });
      const got = await Promise.all(lookups.map(([tenantId, key]) => coalescing.find(tenantId, key)));
      assert.deepEqual(got, expected);
      assert.equal(statements(), 4, 'one statement each for A by uid, A by email, B by email, B by uid');
      assert.equal(got[emails.length * 2]?.uid, inB.uid);
      assert.equal(got[emails.length * 2 + 1], undefined);
      assert.equal(got[emails.length * 2 + 2], undefined);
      assert.notEqual(got[0], got.at(-2), 'two callers of one account get their own objects');
      assert.deepEqual(got[0], got.at(-2));
    });

    it('group-commits concurrent new-email imports: one statement, each caller its own account and events', async () => {
      const { ctx } = await newTenant(core);
      const { db, statements } = counting(store.db);
      const write = groupCommitNewAccounts(db, { settings, maxInFlight: 1 });
      const insert = async (account: NewAccount, email: string, subscriptions: Subscription[], events: OutboxRecord[]) =>
        (await write({ account, identifier: { kind: 'email', value: email }, subscriptions, channels: {}, events }))?.account;
      const now = new Date();
      const calls = Array.from({ length: 12 }, (_, i) => {
        const uid = `${String(i).padStart(2, '0')}${'a'.repeat(30)}` as AccountUid;
        const email = `group${i % 10}@example.com`; // 10 and 11 repeat 0 and 1: they wait for a later batch
        const account = {
          tenantId: ctx.tenantId,
          uid,
          hasLiteAccount: true,
          hasFullAccount: false,
          isVerified: false,
          profile: { email, i },
          data: {},
          passwordHash: null,
          emailToken: `token${i}`,
          language: null,
          optinChannel: null,
          optinSubchannel: null,
          createdSiteId: ctx.siteId,
          now,
        };
        const event = (n: number) => ({
          id: `ev-${i}-${n}`,
          tenantId: ctx.tenantId,
          siteId: ctx.siteId,
          event: { type: 'account.updated' as const, accountUid: uid, via: 'import' as const, payload: { changed: [`step${n}`] } },
          origin: ctx.origin,
          createdAt: now,
        });
        return { uid, email, args: [account, email, [], [event(1), event(2), event(3)]] as Parameters<typeof insert> };
      });
      const results = await Promise.all(calls.map((c) => insert(...c.args)));
      assert.equal(statements(), 2, 'ten in the first batch, the two repeated emails in the second');
      for (const [i, result] of results.entries()) {
        if (i < 10) {
          assert.equal(result?.uid, calls[i]?.uid);
          assert.equal(result?.email, calls[i]?.email);
          assert.deepEqual(result?.profile, { email: calls[i]?.email, i });
          const events = await store.outbox.listForAccount(ctx.tenantId, calls[i]?.uid as AccountUid);
          assert.deepEqual(
            events.map((e) => e.id),
            [`ev-${i}-1`, `ev-${i}-2`, `ev-${i}-3`],
            'each call writes its own events, in order',
          );
        } else {
          assert.equal(result, undefined, 'the email was taken by the earlier batch: nothing written');
          assert.equal((await store.outbox.listForAccount(ctx.tenantId, calls[i]?.uid as AccountUid)).length, 0);
          assert.equal(await store.accounts.findByUid(ctx.tenantId, calls[i]?.uid as AccountUid), undefined);
        }
      }
      // A batch in which one call cannot be written (its tenant does not exist) writes the others.
      const good = { ...calls[0]?.args[0], uid: 'b'.repeat(32) as AccountUid, emailToken: 'tb' } as Parameters<typeof insert>[0];
      const bad = { ...good, tenantId: 'no-such-tenant' as TenantId, uid: 'c'.repeat(32) as AccountUid, emailToken: 'tc' };
      const outcomes = await Promise.allSettled([insert(good, 'good@example.com', [], []), insert(bad, 'bad@example.com', [], [])]);
      assert.equal(outcomes[0]?.status === 'fulfilled' && outcomes[0].value?.uid, good.uid);
      assert.equal(outcomes[1]?.status, 'rejected');
    });

    it('gives one account per email and every merge under 60 concurrent imports through the core', async () => {
      const { ctx } = await newTenant(core);
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          core.accounts.upsertLite(
            ctx,
            { email: `many${i % 20}@example.com`, data: { [`k${i}`]: i }, subscriptions: [{ subscriptionId: 'news', channel: 'email', isSubscribed: true }] },
            { via: 'import' },
          ),
        ),
      );
      for (let e = 0; e < 20; e++) {
        const mine = results.filter((_, i) => i % 20 === e);
        assert.equal(mine.filter((r) => r.created).length, 1, 'exactly one call created the account');
        assert.equal(new Set(mine.map((r) => r.account.uid)).size, 1);
        const view = await core.accounts.get(ctx, mine[0]?.account.uid as AccountUid);
        assert.deepEqual(Object.keys(view.data).sort(), [`k${e}`, `k${e + 20}`, `k${e + 40}`].sort(), 'every merge landed');
      }
      assert.equal(await store.accounts.count(ctx.tenantId), 20);
    });

    it('claims nonces in batches: one winner per nonce, expired ones taken over', async () => {
      const { tenant } = await newTenant(core);
      const claim = batchNonceClaims(store.db, { settings, maxInFlight: 1 });
      const now = new Date();
      const later = new Date(now.getTime() + 60_000);
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => claim(tenant.id, 'key', `n${i % 5}`, later, now)));
      for (let n = 0; n < 5; n++) assert.equal(wins.filter((w, i) => w && i % 5 === n).length, 1, `nonce n${n} is won once`);
      // Expired: taken over once; still live: refused.
      const past = new Date(now.getTime() - 1000);
      assert.equal(await claim(tenant.id, 'key', 'old', past, new Date(now.getTime() - 2000)), true);
      const takeovers = await Promise.all([
        claim(tenant.id, 'key', 'old', later, now),
        claim(tenant.id, 'key', 'old', later, now),
        claim(tenant.id, 'key', 'fresh', later, now),
      ]);
      assert.deepEqual(takeovers, [true, false, true]);
    });

    it('adds rate-limit hits of several buckets in one upsert, each caller its bucket total', async () => {
      const { tenant } = await newTenant(core);
      const count = batchHitCounts(store.db, { settings, maxInFlight: 1 });
      const window = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      const totals = await Promise.all(Array.from({ length: 12 }, (_, i) => count(tenant.id, `bucket${i % 3}`, window, i + 1)));
      for (let b = 0; b < 3; b++) {
        const mine = totals.filter((_, i) => i % 3 === b);
        const hits = [b + 1, b + 4, b + 7, b + 10];
        assert.deepEqual(
          mine,
          hits.map((_, k) => hits.slice(0, k + 1).reduce((x, y) => x + y)),
        );
      }
    });
  });
}
