import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { CallContext } from '../../src/core/types.js';
import { createStoreSnapshots } from '../../src/emulator/store-snapshot.js';
import type { OpenedStore } from '../../src/store/index.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

/**
 * Whole-store snapshots replace every tenant's rows, so they run on the emulator's own engine
 * (an in-memory PGlite), never on the PostgreSQL database the rest of the suite shares.
 * @see issue 21
 */
let store: OpenedStore;
let core: Core;
let ctx: CallContext;

before(async () => {
  store = await openTestStore('pglite');
  core = testCore(store);
  ({ ctx } = await newTenant(core, 'snapshot'));
});
after(async () => {
  await store.close();
});

const count = async (table: 'accounts' | 'outbox_events' | 'outbox_fanout_queue' | 'consents') =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('store snapshots', () => {
  it('restores rows, JSON, timestamps and identity sequences exactly, without firing triggers again', async () => {
    await core.accounts.upsertLite(
      ctx,
      { email: 'kept@example.com', profile: { nested: { list: [1, 'two', null] } }, consents: [{ consentId: 'terms', isGranted: true, version: '3' }] },
      { via: 'import' },
    );
    const kept = await core.accounts.findByIdentifier(ctx, 'email', 'kept@example.com');
    assert.ok(kept);
    const snapshots = createStoreSnapshots(store.db);
    const before = { accounts: await count('accounts'), events: await count('outbox_events'), queue: await count('outbox_fanout_queue') };
    const snapshot = await snapshots.take();

    await core.accounts.upsertLite(ctx, { email: 'dropped@example.com' }, { via: 'import' });
    const dropped = await core.accounts.findByIdentifier(ctx, 'email', 'dropped@example.com');
    assert.ok(dropped);
    await snapshots.restore(snapshot);

    assert.equal(await core.accounts.findByIdentifier(ctx, 'email', 'dropped@example.com'), undefined);
    const restored = await core.accounts.findByIdentifier(ctx, 'email', 'kept@example.com');
    assert.deepEqual(restored, kept);
    assert.deepEqual(
      { accounts: await count('accounts'), events: await count('outbox_events'), queue: await count('outbox_fanout_queue') },
      before,
      'the outbox trigger did not queue the restored events a second time',
    );
    // The identity sequence went back with the rows: the next account gets the number the dropped one had.
    await core.accounts.upsertLite(ctx, { email: 'next@example.com' }, { via: 'import' });
    assert.equal((await core.accounts.findByIdentifier(ctx, 'email', 'next@example.com'))?.numericId, dropped.numericId);
  });
});
