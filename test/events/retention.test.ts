import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { Core } from '../../src/core/index.js';
import type { AccountUid, TenantId } from '../../src/core/types.js';
import { pipelineMetrics } from '../../src/events/metrics.js';
import { createRetention } from '../../src/events/retention.js';
import type { OpenedStore } from '../../src/store/index.js';
import { testConfig } from '../helpers/app.js';
import { emit, runUntil, startReceiver, testWorker, updateProfile, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

const DAY = 86_400_000;

describe('retention', () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
  });
  after(async () => {
    await store.close();
  });

  /** Rows of one tenant in a table. */
  const count = async (table: string, tenantId: TenantId, where = 'true') => {
    const { sql } = await import('kysely');
    const result = await sql<{ n: string | number }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE tenant_id = ${tenantId} AND ${sql.raw(where)}`.execute(
      store.db,
    );
    return Number(result.rows[0]?.n ?? 0);
  };

  it('deletes each table after its own period, in small batches, and never consent history, subscriptions, or DOI proof', async () => {
    const { tenant, ctx } = await newTenant(core, 'ret');
    const ok = await startReceiver(() => 200);
    const failing = await startReceiver(() => 500);
    await core.webhooks.set(tenant.id, { name: 'ok', url: ok.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], maxAttempts: 2 }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'r@example.com' }, { via: 'lite' });
    const uid = account.uid as AccountUid;
    await updateProfile(core, ctx, uid, 3);
    await core.consents.set(ctx, uid, [{ consentId: 'terms', isGranted: true, version: '1' }]);
    await core.consents.set(ctx, uid, [{ consentId: 'terms', isGranted: false, version: '1' }]);
    await emit(store, ctx, {
      type: 'member.welcome_message_requested',
      accountUid: uid,
      payload: { memberId: 1, channel: 'email', to: 'r@example.com', language: 'en', productName: null },
    } as never);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 8);
    // One dead letter, then one event still pending for a receiver that is down.
    await core.webhooks.set(tenant.id, { name: 'bad', url: failing.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    await updateProfile(core, ctx, uid, 1);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).dead === 1);
    await core.accounts.update(ctx, uid, (a) => ({ patch: { profile: { ...a.profile, last: true } }, changed: ['profile.last'] }));
    // Until its first attempt failed: on PostgreSQL another test file's worker may hold the
    // fan-out lock for a pass, so one tick need not fan this event out.
    await runUntil(worker, async () => (await count('event_deliveries', tenant.id, "status = 'pending' AND attempts >= 1")) >= 1);
    await worker.stop();
    await ok.close();
    await failing.close();
    const pendingBefore = await count('event_deliveries', tenant.id, "status = 'pending'");
    assert.ok(pendingBefore >= 1, 'an event still waits for the failing webhook');

    // Tokens: one used DOI link (the person's confirmation), one never used; both long expired.
    const long = new Date(Date.now() - 30 * DAY);
    for (const [eventId, usedAt] of [
      ['used-link', long],
      ['unused-link', null],
    ] as const) {
      await store.db
        .insertInto('doi_confirmations')
        .values({
          tenant_id: tenant.id,
          event_id: eventId,
          token_hash: `h-${eventId}-${tenant.id}`,
          token_sealed: 'x',
          account_uid: uid,
          subscription_id: 'news',
          channel: 'email',
          expires_at: long,
          used_at: usedAt,
          created_at: long,
        })
        .execute();
    }

    const delivered = await count('event_deliveries', tenant.id, "status = 'delivered'");
    const history = await count('consent_history', tenant.id);
    const subscriptions = await count('subscriptions', tenant.id);
    const outbox = await count('outbox_events', tenant.id);
    const log = await count('event_delivery_log', tenant.id);
    assert.ok(log > 0 && outbox >= 8);
    assert.equal(await count('dev_mailbox', tenant.id), 1);
    assert.equal(await count('message_sends', tenant.id), 1);

    const registry = new Registry();
    const metrics = pipelineMetrics(registry);
    const config = { ...testConfig().events.retention, batchSize: 2 };
    let clock = Date.now() + 10 * DAY;
    // Scoped to this test's tenant: on PostgreSQL the database is shared with other test files.
    const retention = createRetention({ db: store.db, config, now: () => new Date(clock), log: { info() {} }, metrics, tenants: [tenant.id] });

    // Ten days on: the mailbox (7 d) and unused expired links go; the log (14 d) and deliveries (30 d) stay.
    await retention.run();
    assert.equal(await count('dev_mailbox', tenant.id), 0);
    assert.equal(await count('doi_confirmations', tenant.id, "event_id = 'unused-link'"), 0);
    assert.equal(await count('event_delivery_log', tenant.id), log);
    assert.equal(await count('event_deliveries', tenant.id, "status = 'delivered'"), delivered);

    // Forty days on: delivered deliveries, the log, the message ledger and delivered events go, two rows a batch.
    clock = Date.now() + 40 * DAY;
    const deleted = await retention.run();
    assert.equal(await count('event_delivery_log', tenant.id), 0);
    assert.equal(await count('event_deliveries', tenant.id, "status IN ('delivered', 'dropped')"), 0);
    assert.equal(await count('message_sends', tenant.id), 0);
    assert.ok((deleted.event_deliveries ?? 0) >= delivered);
    // Kept: the dead letter (90 d) and its event; what is still pending and its event.
    assert.equal(await count('event_deliveries', tenant.id, "status = 'dead'"), 1);
    assert.equal(await count('event_deliveries', tenant.id, "status = 'pending'"), pendingBefore);
    const dead = await store.db
      .selectFrom('event_deliveries')
      .select(['event_id'])
      .where('tenant_id', '=', tenant.id)
      .where('status', '=', 'dead')
      .executeTakeFirstOrThrow();
    assert.equal(await count('outbox_events', tenant.id, `id = '${dead.event_id}'`), 1);
    const stillPending = await store.db
      .selectFrom('event_deliveries')
      .select(['event_id'])
      .where('tenant_id', '=', tenant.id)
      .where('status', '=', 'pending')
      .execute();
    for (const p of stillPending) assert.equal(await count('outbox_events', tenant.id, `id = '${p.event_id}'`), 1);
    assert.ok((await count('outbox_events', tenant.id)) < outbox, 'delivered events went');
    assert.ok((deleted.outbox_events ?? 0) >= 1);
    // Never deleted.
    assert.equal(await count('consent_history', tenant.id), history);
    assert.equal(await count('subscriptions', tenant.id), subscriptions);
    assert.equal(await count('doi_confirmations', tenant.id, "event_id = 'used-link'"), 1);
    assert.ok(await count('accounts', tenant.id), 'the account stays');

    const text = await registry.metrics();
    assert.match(text, /roster_retention_deleted_rows_total\{table="event_delivery_log"\} \d+/);
    assert.match(text, /roster_retention_deleted_rows_total\{table="dev_mailbox"\} 1\n/);
    assert.match(text, /roster_retention_batch_seconds_count\{table="event_deliveries"\} \d+/);
  });

  it('keeps everything when a period is 0', async () => {
    const { tenant, ctx } = await newTenant(core, 'keep');
    await emit(store, ctx, {
      type: 'member.welcome_message_requested',
      accountUid: null,
      payload: { memberId: 2, channel: 'email', to: 'k@example.com', language: 'en', productName: null },
    } as never);
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }));
    await runUntil(worker, async () => (await count('dev_mailbox', tenant.id)) === 1);
    await worker.stop();
    const config = { ...testConfig().events.retention, mailboxDays: 0 };
    const retention = createRetention({ db: store.db, config, now: () => new Date(Date.now() + 400 * DAY), log: { info() {} }, tenants: [tenant.id] });
    await retention.run();
    assert.equal(await count('dev_mailbox', tenant.id), 1);
  });
});
