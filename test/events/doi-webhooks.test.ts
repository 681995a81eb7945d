import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gigyaSignature } from '../../src/events/formats/gigya.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { runUntil, startReceiver, testWorker, workerSettings } from '../helpers/events.js';
import { call, gigyaFixture } from '../helpers/gigya.js';

/**
 * Issue 15 item 1: a double opt-in confirmation made through the page reaches a webhook of every
 * format, under the one name the code emits (subscription.confirmed) and each format's mapping.
 */
let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const schema = { subscriptionsSchema: { fields: { newsletter: { email: { type: 'subscription', doubleOptIn: true, description: 'The Morning Brief' } } } } };

describe('a double opt-in confirmation reaches every webhook format', () => {
  it('roster, gigya and boostcom-v2 receivers each get it', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const roster = await startReceiver();
    const gigya = await startReceiver();
    const boostcom = await startReceiver();
    const gigyaSecret = Buffer.from('doi-gigya-secret').toString('base64');
    await t.core.webhooks.set(f.tenant.id, { name: 'native', url: roster.url, eventTypes: ['subscription.confirmed'], format: 'roster', secret: 's1' });
    await t.core.webhooks.set(f.tenant.id, { name: 'sap', url: gigya.url, eventTypes: ['subscriptionUpdated'], format: 'gigya', secret: gigyaSecret });
    await t.core.webhooks.set(f.tenant.id, { name: 'club', url: boostcom.url, eventTypes: ['subscription.confirmed'], format: 'boostcom-v2', secret: 'tok' });

    const creds = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret };
    assert.equal((await call(t.app, 'accounts.importLiteAccount', { ...creds, email: 'doi-hooks@example.com' })).body.errorCode, 0);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'doi-hooks@example.com');
    assert.ok(account);
    const set = await call(t.app, 'accounts.setAccountInfo', { ...creds, UID: account.uid, subscriptions: '{"newsletter":{"email":{"isSubscribed":true}}}' });
    assert.equal(set.body.errorCode, 0, set.raw);
    const request = (await t.store.outbox.listForAccount(f.tenant.id, account.uid)).find((e) => e.event.type === 'subscription.confirmation_requested');
    assert.ok(request);
    const link = await t.core.doubleOptIn.confirmationToken(f.ctx, request.id);
    assert.ok(link);
    const pressed = await t.app.inject({
      method: 'POST',
      url: '/doi/confirm',
      payload: new URLSearchParams({ token: link.token }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Person/1.0' },
    });
    assert.equal(pressed.statusCode, 200);

    const confirmed = (await t.store.outbox.listForAccount(f.tenant.id, account.uid)).find((e) => e.event.type === 'subscription.confirmed');
    assert.ok(confirmed);
    const worker = testWorker(t.store, t.core, workerSettings({ tenants: [f.tenant.id] }));
    const events = (r: { requests: { body: string }[] }) => r.requests.flatMap((q) => JSON.parse(q.body).events as Record<string, unknown>[]);
    const doiChange = (e: Record<string, unknown>) => JSON.stringify(e.member_changes).includes('double_opt_in');
    await runUntil(
      worker,
      () => events(roster).some((e) => e.id === confirmed.id) && events(gigya).some((e) => e.id === confirmed.id) && events(boostcom).some(doiChange),
    );
    await worker.stop();

    const native = events(roster).find((e) => e.type === 'subscription.confirmed');
    assert.ok(native, 'roster format');
    assert.equal(native.accountUid, account.uid);
    assert.equal((native.data as Record<string, unknown>).subscriptionId, 'newsletter');
    assert.equal((native.data as Record<string, unknown>).confirmUserAgent, 'Person/1.0');

    // The gigya event's id is the outbox event's: this is the confirmation, not the earlier isSubscribed change.
    const sap = events(gigya).find((e) => e.id === confirmed.id);
    assert.ok(sap, 'gigya format');
    assert.equal(sap.type, 'subscriptionUpdated');
    assert.deepEqual(sap.data, { uid: account.uid, subscriptionId: 'newsletter' });
    const first = gigya.requests[0]!;
    assert.equal(first.headers['x-gigya-sig-hmac-sha1'], gigyaSignature(gigyaSecret, first.body));

    const member = events(boostcom).find(doiChange);
    assert.ok(member, 'boostcom-v2 format');
    assert.equal((member.event as { type: string }).type, 'update');
    assert.deepEqual(member.member_changes, { subscriptions: { 'newsletter.double_opt_in': { change: '~', was: 'Pending', is: 'Confirmed' } } });
    assert.equal((member.member as { person_id: string }).person_id, account.uid);
    await Promise.all([roster.close(), gigya.close(), boostcom.close()]);
  });
});
