import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Clock } from '../../src/core/ports.js';
import type { OpenedStore } from '../../src/store/index.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

// Windows are fixed minutes: a test running across a minute's end would see its count start again.
const midMinute: Clock = { now: () => new Date('2030-06-01T12:00:30.000Z') };

describe('rate counting shared by processes', () => {
  let store: OpenedStore;
  before(async () => {
    store = await openTestStore();
  });
  after(() => store.close());

  it('counts exactly within one process and sees other processes after their flush', async () => {
    // Two cores over one store stand for two Roster processes on one database.
    const one = testCore(store, midMinute);
    const two = testCore(store, midMinute);
    const { tenant } = await newTenant(one);
    const hitsOne: number[] = [];
    for (let i = 0; i < 5; i++) hitsOne.push(await one.requestGuards.countHit(tenant.id, 'key:A', 60));
    assert.deepEqual(hitsOne, [1, 2, 3, 4, 5]);
    await one.requestGuards.flush(); // as its timer would: process one's hits are now in the store
    assert.equal(await two.requestGuards.countHit(tenant.id, 'key:A', 60), 6);
    await two.requestGuards.countHit(tenant.id, 'key:A', 60);
    await two.requestGuards.flush();
    // Process one learns process two's hits with its next flush.
    await one.requestGuards.countHit(tenant.id, 'key:A', 60);
    await one.requestGuards.flush();
    const row = await store.db
      .selectFrom('gigya_rate_windows')
      .select('hits')
      .where('tenant_id', '=', tenant.id)
      .where('bucket', '=', 'key:A')
      .executeTakeFirstOrThrow();
    assert.equal(Number(row.hits), 8, 'every hit reached the shared count');
    assert.equal(await one.requestGuards.countHit(tenant.id, 'key:A', 60), 9);
  });

  it('counts the hits of a flush still on its way to the store', async () => {
    const core = testCore(store, midMinute);
    const { tenant } = await newTenant(core);
    for (let i = 0; i < 5; i++) await core.requestGuards.countHit(tenant.id, 'key:B', 60);
    const flushing = core.requestGuards.flush(); // four gathered hits leave for the store
    assert.equal(await core.requestGuards.countHit(tenant.id, 'key:B', 60), 6, 'a hit during the write sees the hits in it');
    await flushing;
    assert.equal(await core.requestGuards.countHit(tenant.id, 'key:B', 60), 7);
  });

  it('keeps buckets and tenants apart', async () => {
    const core = testCore(store, midMinute);
    const a = await newTenant(core);
    const b = await newTenant(core);
    await core.requestGuards.countHit(a.tenant.id, 'key:X', 60);
    assert.equal(await core.requestGuards.countHit(b.tenant.id, 'key:X', 60), 1);
    assert.equal(await core.requestGuards.countHit(a.tenant.id, 'key:Y', 60), 1);
  });
});
