import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { AccountUid } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';
import { startReceiver, testWorker, updateProfile, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

const onPostgres = Boolean(process.env.DATABASE_URL);
if (!onPostgres) console.log('# skipping two-worker test: it needs PostgreSQL (set DATABASE_URL); PGlite serves one process');

describe('two workers on one PostgreSQL', { skip: onPostgres ? false : 'needs DATABASE_URL (PostgreSQL)' }, () => {
  let storeA: OpenedStore;
  let storeB: OpenedStore;
  let coreA: Core;
  let coreB: Core;
  before(async () => {
    // Two pools, as two processes would have.
    storeA = await openTestStore('postgres');
    storeB = await openTestStore('postgres');
    coreA = testCore(storeA);
    coreB = testCore(storeB);
  });
  after(async () => {
    await storeA.close();
    await storeB.close();
  });

  it('share the work and never deliver one event twice, nor concurrently', async () => {
    const { tenant, ctx } = await newTenant(coreA, 'two');
    const inFlight = new Set<string>();
    const overlaps: string[] = [];
    const receiver = await startReceiver(async (body) => {
      const ids: string[] = JSON.parse(body).events.map((e: { id: string }) => e.id);
      for (const id of ids) {
        if (inFlight.has(id)) overlaps.push(id);
        inFlight.add(id);
      }
      await new Promise((r) => setTimeout(r, 40));
      for (const id of ids) inFlight.delete(id);
      return 200;
    });
    await coreA.webhooks.set(tenant.id, { name: 'shared', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    const uids: string[] = [];
    for (let a = 0; a < 20; a++) {
      const { account } = await coreA.accounts.upsertLite(ctx, { email: `two${a}@example.com` }, { via: 'lite' });
      uids.push(account.uid);
      await updateProfile(coreA, ctx, account.uid, 2);
    }
    const written = (await Promise.all(uids.map((uid) => storeA.outbox.listForAccount(tenant.id, uid as AccountUid)))).flat();
    const settings = workerSettings({ tenants: [tenant.id], batchSize: 5, leaseMs: 10_000 });
    const workerA = testWorker(storeA, coreA, settings);
    const workerB = testWorker(storeB, coreB, settings);
    workerA.start();
    workerB.start();
    const deadline = Date.now() + 30_000;
    while (receiver.delivered().length < written.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // a duplicate would show up now
    await workerA.stop();
    await workerB.stop();

    const ids = receiver.delivered().map((e) => e.id);
    assert.equal(ids.length, written.length, 'each event delivered exactly once');
    assert.equal(new Set(ids).size, written.length);
    assert.deepEqual(overlaps, []);
    for (const uid of uids) {
      const expected = written.filter((r) => r.event.accountUid === uid).map((r) => r.id);
      assert.deepEqual(
        receiver
          .delivered()
          .filter((e) => e.accountUid === uid)
          .map((e) => e.id),
        expected,
      );
    }
    const log = await workerA.deliveries.log(tenant.id, {}, 1000);
    const byWorker = new Set(log.map((l) => l.worker));
    assert.ok(byWorker.has(workerA.id) && byWorker.has(workerB.id), `both workers delivered (${[...byWorker].join(', ')})`);
    await receiver.close();
  });
});
