import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture, sign } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const SET = 'accounts.setAccountInfo';
const creds = (f: GigyaFixture, extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });
const schema = {
  profileSchema: { fields: { gender: { type: 'string', format: "regex('^[fmu]{1}$')" }, birthYear: { type: 'long' } } },
  dataSchema: { fields: { terms: { type: 'boolean' } }, dynamicSchema: true },
  subscriptionsSchema: {
    fields: { 'news.daily': { email: { type: 'subscription', doubleOptIn: true } }, plain: { email: { type: 'subscription', doubleOptIn: false } } },
  },
};

async function lite(f: GigyaFixture, email: string) {
  const r = await call(t.app, 'accounts.importLiteAccount', creds(f, { email, profile: '{"firstName":"Ada","lastName":"L"}', data: '{"a":1}' }));
  assert.equal(r.body.errorCode, 0, r.raw);
  const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', email);
  assert.ok(account);
  return account;
}

describe('accounts.setAccountInfo', () => {
  it('merges profile, data and preferences; the change is an update event', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const account = await lite(f, 'set@example.com');
    const r = await call(
      t.app,
      SET,
      sign(
        SET,
        {
          apiKey: f.apiKey,
          userKey: f.userKey,
          UID: account.uid,
          profile: '{"firstName":"Ada2","gender":"f","birthYear":1815}',
          data: '{"terms":true,"a":null}',
          preferences: '{"terms":{"tos":{"isConsentGranted":true}}}',
        },
        f.secret,
      ),
    );
    assert.equal(r.body.errorCode, 0, r.raw);
    const after = await t.core.accounts.get(f.ctx, account.uid);
    assert.deepEqual(after.profile, { email: 'set@example.com', firstName: 'Ada2', lastName: 'L', gender: 'f', birthYear: 1815 });
    assert.deepEqual(after.data, { terms: true });
    assert.equal(after.consents[0]?.consentId, 'terms.tos');
    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    assert.ok(events.some((e) => e.event.type === 'account.updated' && e.event.via === 'update'));
  });

  it('400009 for wrong types, formats, read-only subscription fields and a different profile.email', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const account = await lite(f, 'bad@example.com');
    const r = await call(
      t.app,
      SET,
      creds(f, {
        UID: account.uid,
        profile: '{"gender":"x","birthYear":"old","email":"other@example.com"}',
        data: '{"terms":"yes"}',
        subscriptions: '{"plain":{"email":{"isSubscribed":true,"lastUpdatedSubscriptionState":"2020-01-01T00:00:00Z","doubleOptIn":{"status":"Confirmed"}}}}',
      }),
    );
    assert.equal(r.body.errorCode, 400009);
    assert.deepEqual((r.body.validationErrors as Array<{ fieldName: string; errorCode: number }>).map((e) => [e.fieldName, e.errorCode]).sort(), [
      ['data.terms', 400023],
      ['profile.birthYear', 400023],
      ['profile.email', 400025],
      ['profile.gender', 400026],
      ['subscriptions.plain.email.doubleOptIn.status', 400025],
      ['subscriptions.plain.email.lastUpdatedSubscriptionState', 400025],
    ]);
    const unchanged = await t.core.accounts.get(f.ctx, account.uid);
    assert.deepEqual(unchanged.profile, account.profile);
    assert.deepEqual(unchanged.subscriptions, []);
  });

  it('turning on a double opt-in subscription makes it Pending with emailSentTime and writes a confirmation request', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const account = await lite(f, 'doi@example.com');
    const r = await call(
      t.app,
      SET,
      creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":true,"tags":["t"]}}},"plain":{"email":{"isSubscribed":true}}}' }),
    );
    assert.equal(r.body.errorCode, 0, r.raw);
    const after = await t.core.accounts.get(f.ctx, account.uid);
    const daily = after.subscriptions.find((s) => s.subscriptionId === 'news.daily');
    assert.equal(daily?.isSubscribed, true);
    assert.equal(daily?.doubleOptIn.status, 'Pending');
    assert.ok(daily?.doubleOptIn.emailSentAt);
    assert.deepEqual(daily?.tags, ['t']);
    const plain = after.subscriptions.find((s) => s.subscriptionId === 'plain');
    assert.equal(plain?.doubleOptIn.status, 'NotConfirmed');
    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    const requests = events.filter((e) => e.event.type === 'subscription.confirmation_requested');
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0]?.event.payload, { subscriptionId: 'news.daily', channel: 'email', email: 'doi@example.com', language: null });

    // Unchanged on repeat; turning off resets to NotConfirmed.
    await call(t.app, SET, creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":true}}}}' }));
    assert.equal(
      (await t.store.outbox.listForAccount(f.tenant.id, account.uid)).filter((e) => e.event.type === 'subscription.confirmation_requested').length,
      1,
    );
    await call(t.app, SET, creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":false}}}}' }));
    const off = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions.find((s) => s.subscriptionId === 'news.daily');
    assert.equal(off?.isSubscribed, false);
    assert.equal(off?.doubleOptIn.status, 'NotConfirmed');
  });

  it('a conditionally confirmed double opt-in subscription is Confirmed at once, with no email', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const account = await lite(f, 'cond@example.com');
    const r = await call(
      t.app,
      SET,
      creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":true,"doubleOptIn":{"doiConditionallyConfirmed":true}}}}}' }),
    );
    assert.equal(r.body.errorCode, 0, r.raw);
    const daily = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0];
    assert.equal(daily?.doubleOptIn.status, 'Confirmed');
    assert.equal(daily?.doubleOptIn.conditionallyConfirmed, true);
    assert.equal(daily?.doubleOptIn.emailSentAt, null);
    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    assert.equal(events.filter((e) => e.event.type === 'subscription.confirmation_requested').length, 0);
  });

  it('403005 for an unknown UID, 400002 without one, 403007 anonymously', async () => {
    const f = await gigyaFixture(t.core);
    assert.equal((await call(t.app, SET, creds(f, { UID: 'f'.repeat(32), data: '{"a":1}' }))).body.errorCode, 403005);
    assert.equal((await call(t.app, SET, creds(f, { data: '{"a":1}' }))).body.errorCode, 400002);
    assert.equal((await call(t.app, SET, { apiKey: f.apiKey, UID: 'f'.repeat(32) })).body.errorCode, 403007);
  });
});
