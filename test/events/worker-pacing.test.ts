import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { OpenedStore } from '../../src/store/index.js';
import { runUntil, startReceiver, testWorker, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

describe('event worker pacing', () => {
  let store: OpenedStore;
  let core: Core;
  /** Fan-out passes that found events: each deletes its queue rows in one statement. */
  let fanOutPasses = 0;
  before(async () => {
    store = await openTestStore(undefined, {
      onQuery: (sql) => {
        if (sql.includes('DELETE FROM outbox_fanout_queue')) fanOutPasses++;
      },
    });
    core = testCore(store);
  });
  after(async () => {
    await store.close();
  });

  it('reports more work when a claim was cut at the batch size, and none when it was not', async () => {
    const { tenant, ctx } = await newTenant(core, 'pace');
    const receiver = await startReceiver(() => 200);
    await core.webhooks.set(tenant.id, { name: 'all', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    for (let i = 0; i < 3; i++) await core.accounts.upsertLite(ctx, { email: `more${i}@example.com` }, { via: 'lite' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], batchSize: 2 }));
    const passes: Array<{ fannedOut: number; attempted: number; more: boolean }> = [];
    const done = async () => {
      const counts = await worker.deliveries.counts(tenant.id);
      return (counts.delivered ?? 0) >= 3 && !counts.pending;
    };
    while (!(await done()) && passes.length < 100) passes.push(await worker.tick());
    await receiver.close();
    const delivering = passes.filter((p) => p.attempted > 0);
    // Three or more deliveries, two a claim: the first claim is cut, the last one is not.
    assert.ok(delivering.length >= 2, JSON.stringify(passes));
    for (const p of passes) assert.equal(p.more, p.attempted >= 2, JSON.stringify(p));
    assert.equal(delivering[0]?.more, true);
    assert.equal(delivering.at(-1)?.more, false);
    assert.deepEqual(await worker.tick(), { fannedOut: 0, attempted: 0, more: false }, 'an idle pass has nothing more');
  });

  it('lets new events gather after a pass that left no more work, and loses none', async () => {
    /** Writes an account every few milliseconds for `ms` (fewer than a fan-out's limit per gather); returns how many. */
    const stream = async (ctx: Parameters<Core['accounts']['upsertLite']>[0], prefix: string, ms: number) => {
      const until = Date.now() + ms;
      let n = 0;
      for (; Date.now() < until; n++) {
        await core.accounts.upsertLite(ctx, { email: `${prefix}-${n}@example.com` }, { via: 'lite' });
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      return n;
    };
    const passesWhileStreaming = async (gatherMs: number) => {
      const { tenant, ctx } = await newTenant(core, `gather${gatherMs}`);
      const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], pollIntervalMs: 10, gatherMs }));
      worker.start();
      const before = fanOutPasses;
      const written = await stream(ctx, `g${gatherMs}`, 1200);
      const passes = fanOutPasses - before;
      await worker.stop();
      // Nothing is lost: whatever the last pass left is fanned out by the next worker.
      const queued = async () =>
        Number(
          (
            await store.db
              .selectFrom('outbox_fanout_queue')
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .where('tenant_id', '=', tenant.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const rest = testWorker(store, core, workerSettings({ tenants: [tenant.id] }));
      await runUntil(rest, async () => (await queued()) === 0);
      assert.ok(written > 0);
      return passes;
    };
    const gathered = await passesWhileStreaming(300);
    const backToBack = await passesWhileStreaming(0);
    // 1.2 s of writes in 300 ms gathers: a handful of passes (the first, then one per gather).
    assert.ok(gathered <= 8, `${gathered} fan-out passes with a 300 ms gather`);
    assert.ok(backToBack >= 3 * gathered, `${backToBack} passes back to back against ${gathered} gathered`);
  });
});
