import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const creds = (f: GigyaFixture, extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });

async function imported(f: GigyaFixture, email: string) {
  const r = await call(
    t.app,
    'accounts.importLiteAccount',
    creds(f, {
      email,
      profile: '{"firstName":"Ada"}',
      data: '{"crm":{"id":"c1"}}',
      subscriptions: JSON.stringify({ newsletter: { commercial: { email: { isSubscribed: true, tags: ['x'] } } }, plain: { email: { isSubscribed: false } } }),
      preferences: JSON.stringify({ terms: { tos: { isConsentGranted: true, docVersion: 2, lang: 'en' } } }),
    }),
  );
  assert.equal(r.body.errorCode, 0, r.raw);
  const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', email);
  assert.ok(account);
  return account;
}

describe('accounts.getAccountInfo', () => {
  it('returns a lite account in the account shape: nested dotted subscriptions, preferences, timestamps, token', async () => {
    const f = await gigyaFixture(t.core);
    const account = await imported(f, 'info@example.com');
    const r = await call(t.app, 'accounts.getAccountInfo', creds(f, { UID: account.uid }));
    assert.equal(r.body.errorCode, 0, r.raw);
    const b = r.body;
    assert.equal(b.UID, account.uid);
    assert.deepEqual(b.profile, { email: 'info@example.com', firstName: 'Ada' });
    assert.deepEqual(b.data, { crm: { id: 'c1' } });
    assert.equal(b.isRegistered, false);
    assert.equal(b.hasLiteAccount, true);
    assert.equal(b.hasFullAccount, false);
    assert.equal(b.isVerified, false);
    assert.equal(b.token, account.emailToken);
    assert.equal(b.created, account.createdAt.toISOString());
    assert.equal(b.createdTimestamp, account.createdAt.getTime());
    assert.equal(typeof b.lastUpdatedTimestamp, 'number');
    const subs = b.subscriptions as Record<string, Record<string, Record<string, { email: Record<string, unknown> }>>>;
    const commercial = (subs.newsletter as unknown as Record<string, { email: Record<string, unknown> }>).commercial?.email;
    assert.equal(commercial?.isSubscribed, true);
    assert.deepEqual(commercial?.tags, ['x']);
    assert.equal((commercial?.doubleOptIn as { status: string } | undefined)?.status, 'NotConfirmed');
    assert.match(String(commercial?.lastUpdatedSubscriptionState), /Z$/);
    assert.equal((subs.plain as unknown as { email: { isSubscribed: boolean } }).email.isSubscribed, false);
    const tos = (b.preferences as { terms: { tos: Record<string, unknown> } }).terms.tos;
    assert.equal(tos.isConsentGranted, true);
    assert.equal(tos.docVersion, 2);
    assert.equal(tos.lang, 'en');
    assert.deepEqual(b.emails, { verified: [], unverified: ['info@example.com'] });
  });

  it('limits the parts to include (comma list or JSON array) and accepts a lowercase uid', async () => {
    const f = await gigyaFixture(t.core);
    const account = await imported(f, 'inc@example.com');
    for (const include of ['profile', '["profile"]']) {
      const r = await call(t.app, 'accounts.getAccountInfo', creds(f, { uid: account.uid, include }));
      assert.equal(r.body.errorCode, 0, r.raw);
      assert.ok('profile' in r.body);
      assert.ok(!('data' in r.body) && !('subscriptions' in r.body) && !('preferences' in r.body));
    }
  });

  it('403005 for an unknown UID or one of another tenant; 400002 without UID; 403007 anonymously', async () => {
    const f = await gigyaFixture(t.core);
    const g = await gigyaFixture(t.core);
    const theirs = await imported(g, 'theirs@example.com');
    for (const UID of ['0'.repeat(32), theirs.uid]) {
      const r = await call(t.app, 'accounts.getAccountInfo', creds(f, { UID }));
      assert.equal(r.body.errorCode, 403005);
      assert.equal(r.body.errorMessage, 'Unauthorized user');
      assert.equal(r.body.errorDetails, 'The user ID that is passed is not valid for this site');
    }
    assert.equal((await call(t.app, 'accounts.getAccountInfo', creds(f, {}))).body.errorCode, 400002);
    assert.equal((await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, UID: theirs.uid })).body.errorCode, 403007);
  });
});
