import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Core } from '../../src/core/index.js';
import type { AccountUid } from '../../src/core/types.js';
import { gigyaSignature } from '../../src/events/formats/gigya.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import type { OpenedStore } from '../../src/store/index.js';
import { runUntil, startReceiver, testWorker, updateProfile, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

/** The receiver's side of the native format, exactly as README.md tells integrators to do it. */
function verifyRoster(secret: string, headers: Record<string, string | string[] | undefined>, body: string, toleranceSeconds = 300): boolean {
  const timestamp = String(headers['roster-timestamp']);
  const given = String(headers['roster-signature']);
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

describe('webhook delivery', () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
  });
  after(async () => {
    await store.close();
  });

  it('delivers every event, in order per account, to a receiver that is down for a while and then up', async () => {
    const { tenant, ctx } = await newTenant(core, 'wh');
    let down = true;
    const receiver = await startReceiver(() => (down ? 503 : 200));
    await core.webhooks.set(tenant.id, { name: 'crm', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 'whsec-test' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], batchSize: 7, maxAttempts: 50 }));

    const uids: string[] = [];
    for (let a = 0; a < 4; a++) {
      const { account } = await core.accounts.upsertLite(ctx, { email: `p${a}@example.com` }, { via: 'lite' });
      uids.push(account.uid);
    }
    for (const uid of uids) await updateProfile(core, ctx, uid, 5);
    const written = (await Promise.all(uids.map((uid) => store.outbox.listForAccount(tenant.id, uid as AccountUid)))).flat();
    assert.equal(written.length, 24);

    // Down: every attempt fails and is retried with backoff; nothing is lost meanwhile.
    await runUntil(worker, () => receiver.requests.length >= 6);
    assert.equal(receiver.delivered().length, 0);
    down = false;
    await runUntil(worker, () => new Set(receiver.delivered().map((e) => e.id)).size === written.length);

    const delivered = receiver.delivered();
    for (const uid of uids) {
      const expected = written.filter((r) => r.event.accountUid === uid).map((r) => r.id);
      // At-least-once: drop repeats, then the account's events come in the order they were written.
      const seen = [...new Set(delivered.filter((e) => e.accountUid === uid).map((e) => e.id))];
      assert.deepEqual(seen, expected);
    }
    for (const request of receiver.requests) assert.ok(verifyRoster('whsec-test', request.headers, request.body), 'signature verifies');
    assert.ok(!verifyRoster('other-secret', receiver.requests[0]!.headers, receiver.requests[0]!.body));
    const first = delivered[0]!;
    assert.equal((first as unknown as { tenant: string }).tenant, tenant.name);
    assert.equal(first.type, 'account.created');
    assert.ok(
      receiver.requests.some((r) => JSON.parse(r.body).events.length > 1),
      'events are batched',
    );
    const counts = await worker.deliveries.counts(tenant.id);
    assert.deepEqual(counts, { delivered: 24 });
    const log = await worker.deliveries.log(tenant.id, { eventId: written[0]!.id });
    assert.ok(log.some((l) => l.outcome === 'retry' && l.status_code === 503));
    assert.ok(log.some((l) => l.outcome === 'delivered' && l.status_code === 200));
    await receiver.close();
  });

  it('dead-letters after the configured attempts, and replay delivers again', async () => {
    const { tenant, ctx } = await newTenant(core, 'dl');
    let status = 500;
    const receiver = await startReceiver(() => status);
    await core.webhooks.set(tenant.id, { name: 'flaky', url: receiver.url, eventTypes: ['account.created'], format: 'roster', secret: 's' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], maxAttempts: 3 }));
    const since = new Date(Date.now() - 1000);
    await core.accounts.upsertLite(ctx, { email: 'dead@example.com' }, { via: 'lite' });

    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).dead === 1);
    assert.equal(receiver.requests.length, 3);
    const dead = await worker.deliveries.deadLetters(tenant.id);
    assert.equal(dead[0]?.last_error, 'HTTP 500');

    status = 204;
    const replayed = await worker.deliveries.replay({ tenantId: tenant.id, since, type: 'account.created' }, (e) => worker.router.sinksFor(e), new Date());
    assert.deepEqual(replayed, { events: 1, deliveries: 1 });
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 1);
    assert.equal(receiver.delivered().length, 1);
    await receiver.close();
  });

  it('signs gigya-format deliveries with X-Gigya-Sig-Hmac-Sha1 over the body', async () => {
    const { tenant, ctx } = await newTenant(core, 'gy');
    const receiver = await startReceiver();
    const secret = Buffer.from('gigya-secret-bytes').toString('base64');
    await core.webhooks.set(tenant.id, { name: 'sap', url: receiver.url, eventTypes: ['accountCreated', 'accountUpdated'], format: 'gigya', secret });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'g@example.com' }, { via: 'import' });
    await updateProfile(core, ctx, account.uid, 1);
    await runUntil(worker, () => receiver.requests.flatMap((r) => JSON.parse(r.body).events).length === 2);

    for (const request of receiver.requests) {
      assert.equal(request.headers['x-gigya-sig-hmac-sha1'], gigyaSignature(secret, request.body));
      const body = JSON.parse(request.body);
      assert.equal(JSON.stringify(body), request.body, 'compact JSON');
      assert.match(body.nonce, /^[0-9a-f-]{36}$/);
      assert.equal(typeof body.timestamp, 'number');
    }
    const events = receiver.requests.flatMap((r) => JSON.parse(r.body).events);
    assert.deepEqual(
      events.map((e: { type: string; data: unknown }) => [e.type, e.data]),
      [
        ['accountCreated', { uid: account.uid, accountType: 'lite' }],
        ['accountUpdated', { uid: account.uid }],
      ],
    );
    await receiver.close();
  });

  it('sends boostcom-v2 member payloads with X-Secret-Token and drops 4xx answers', async () => {
    const { tenant, ctx } = await newTenant(core, 'bc');
    const receiver = await startReceiver((body) => (JSON.parse(body).events[0].event.type === 'delete' ? 422 : 200));
    await core.webhooks.set(tenant.id, { name: 'club', url: receiver.url, eventTypes: ['*'], format: 'boostcom-v2', secret: 'tok-1' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], batchSize: 1 }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'b@example.com' }, { via: 'import' });
    await core.channels.set(ctx, account.uid, 'sms', 'enabled');
    await core.accounts.delete(ctx, account.uid);
    await runUntil(worker, async () => {
      const c = await worker.deliveries.counts(tenant.id);
      return (c.pending ?? 0) === 0 && (c.delivered ?? 0) + (c.dropped ?? 0) >= 3;
    });
    assert.ok(receiver.requests.every((r) => r.headers['x-secret-token'] === 'tok-1'));
    const bodies = receiver.requests.map((r) => JSON.parse(r.body));
    assert.ok(bodies.every((b) => b.version === 2));
    const [created, channel, deleted] = bodies.map((b) => b.events[0]);
    assert.equal(created.event.type, 'import');
    assert.deepEqual(created.member_changes.email, { change: '+', was: null, is: 'b@example.com' });
    assert.equal(created.member.person_id, account.uid);
    assert.deepEqual(channel.member_changes, { sms_status: { change: '+', was: null, is: 'enabled' } });
    assert.equal(deleted.event.type, 'delete');
    assert.deepEqual(deleted.member_changes, {});
    const counts = await worker.deliveries.counts(tenant.id);
    assert.equal(counts.dropped, 1, 'the 4xx answer is dropped, not retried');
    assert.equal(receiver.requests.length, 3);
    await receiver.close();
  });

  it('never puts a sealed secret on the wire', async () => {
    const { tenant, ctx } = await newTenant(core, 'sl');
    const receiver = await startReceiver();
    await core.webhooks.set(tenant.id, { name: 'all', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }));
    const { recordEvent } = await import('../../src/core/deps.js');
    const { registrationCodeAad } = await import('../../src/core/index.js');
    const { testSecretBox } = await import('../helpers/store.js');
    const { cryptoIds, systemClock } = await import('../../src/system.js');
    await store.transaction((tx) =>
      recordEvent(
        tx,
        { store, clock: systemClock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher },
        ctx,
        {
          type: 'member.registration_password_requested',
          accountUid: null,
          payload: {
            channel: 'sms',
            to: '4791234567',
            language: 'en',
            expiresAt: '2026-12-01T10:00:00.000Z',
            sealedCode: testSecretBox.seal('4711', registrationCodeAad(tenant.id, 'msisdn', '4791234567')),
          },
        },
        new Date(),
      ),
    );
    await runUntil(worker, () => receiver.delivered().some((e) => e.type === 'member.registration_password_requested'));
    const code = receiver.delivered().find((e) => e.type === 'member.registration_password_requested')!;
    assert.deepEqual(code.data, { channel: 'sms', to: '4791234567', language: 'en', expiresAt: '2026-12-01T10:00:00.000Z' });
    assert.ok(!receiver.requests.some((r) => r.body.includes('sealed')));
    await receiver.close();
  });
});
