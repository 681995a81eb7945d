import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountUid } from '../../../src/core/types.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

const IMPORT = 'accounts.importLiteAccount';
const UNSUBSCRIBE = 'accounts.unsubscribe';
let t: TestApp;

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

function creds(f: GigyaFixture, extra: Record<string, string>) {
  return { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra };
}

async function importLite(f: GigyaFixture, extra: Record<string, string>) {
  return call(t.app, IMPORT, creds(f, extra));
}

describe('accounts.importLiteAccount', () => {
  it('creates a lite account with profile, data, dotted subscriptions and preferences; the event is an import', async () => {
    const f = await gigyaFixture(t.core);
    const r = await importLite(f, {
      email: 'Ada@Example.com',
      profile: JSON.stringify({ firstName: 'Ada', email: 'ignored@example.com' }),
      data: JSON.stringify({ crm: { id: 'c1' } }),
      subscriptions: JSON.stringify({
        newsletter: {
          commercial: {
            email: {
              isSubscribed: true,
              tags: ['x'],
              lastUpdatedSubscriptionState: '2020-02-02T10:00:00.000Z',
              doubleOptIn: { status: 'Confirmed', confirmTime: '2020-02-02T10:05:00.000Z' },
            },
          },
        },
      }),
      preferences: JSON.stringify({ terms: { tos: { isConsentGranted: true, docVersion: 2 } } }),
    });
    assert.equal(r.body.errorCode, 0, r.raw);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'ada@example.com');
    assert.ok(account);
    assert.equal(account.hasLiteAccount, true);
    assert.equal(account.hasFullAccount, false);
    assert.deepEqual(account.profile, { email: 'ada@example.com', firstName: 'Ada' });
    assert.deepEqual(account.data, { crm: { id: 'c1' } });
    const sub = account.subscriptions[0];
    assert.equal(sub?.subscriptionId, 'newsletter.commercial');
    assert.equal(sub?.isSubscribed, true);
    assert.deepEqual(sub?.tags, ['x']);
    assert.equal(sub?.lastUpdatedStateAt.toISOString(), '2020-02-02T10:00:00.000Z');
    assert.equal(sub?.doubleOptIn.status, 'Confirmed');
    assert.equal(sub?.doubleOptIn.confirmedAt?.toISOString(), '2020-02-02T10:05:00.000Z');
    assert.equal(sub?.doubleOptIn.emailSentAt, null, 'no double opt-in email is sent');
    assert.deepEqual(
      account.consents.map((c) => [c.consentId, c.isGranted, c.version]),
      [['terms.tos', true, '2']],
    );
    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    const created = events.find((e) => e.event.type === 'account.created');
    assert.ok(created && created.event.type === 'account.created' && created.event.via === 'import');
    assert.equal(created.origin.facade, 'gigya');
    assert.equal(created.origin.keyId, f.key.id);
    const subEvent = events.find((e) => e.event.type === 'subscription.changed');
    assert.ok(subEvent && subEvent.event.type === 'subscription.changed' && subEvent.event.payload.import === true);
  });

  it('merges into the account that holds the email; a full account is linked, not duplicated', async () => {
    const f = await gigyaFixture(t.core);
    const uid = '0123456789abcdef0123456789abcdef' as AccountUid;
    await t.store.transaction(async (tx) => {
      const now = new Date();
      await tx.identifiers.claim(f.tenant.id, 'email', 'full@example.com', uid, now);
      await tx.accounts.insert({
        tenantId: f.tenant.id,
        uid,
        hasLiteAccount: false,
        hasFullAccount: true,
        isVerified: true,
        profile: { email: 'full@example.com', firstName: 'Old', lastName: 'Keep' },
        data: {},
        passwordHash: null,
        emailToken: 'tok-full',
        language: null,
        optinChannel: null,
        optinSubchannel: null,
        createdSiteId: f.site.id,
        now,
      });
    });
    const r = await importLite(f, { email: 'full@example.com', profile: '{"firstName":"New"}' });
    assert.equal(r.body.errorCode, 0);
    assert.equal(await t.core.accounts.count(f.ctx), 1);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'full@example.com');
    assert.equal(account?.uid, uid);
    assert.equal(account?.hasFullAccount, true);
    assert.equal(account?.hasLiteAccount, true);
    assert.deepEqual(account?.profile, { email: 'full@example.com', firstName: 'New', lastName: 'Keep' });
  });

  it('400002 without email, 400006 for an invalid email or a malformed object parameter naming it', async () => {
    const f = await gigyaFixture(t.core);
    const missing = await importLite(f, {});
    assert.equal(missing.body.errorCode, 400002);
    assert.equal(missing.body.errorDetails, 'Missing required parameter : email');
    const invalid = await importLite(f, { email: 'not-an-email' });
    assert.equal(invalid.body.errorCode, 400006);
    assert.match(String(invalid.body.errorDetails), /email/);
    for (const name of ['profile', 'data', 'subscriptions', 'preferences']) {
      const r = await importLite(f, { email: 'x@example.com', [name]: '{"broken":' });
      assert.equal(r.body.errorCode, 400006, name);
      assert.equal(r.body.errorMessage, 'Invalid parameter value');
      assert.match(String(r.body.errorDetails), new RegExp(`: ${name}\\b`));
    }
    assert.equal(await t.core.accounts.count(f.ctx), 0);
  });

  it('400009 with validationErrors for values against the site schema; required fields are not enforced', async () => {
    const schema = {
      profileSchema: { fields: { birthYear: { type: 'long' }, zip: { type: 'string', required: true } } },
      dataSchema: { fields: { terms: { type: 'boolean', required: true } }, dynamicSchema: false },
      subscriptionsSchema: { fields: { news: { email: { type: 'subscription' } } } },
    };
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const r = await importLite(f, {
      email: 'schema@example.com',
      profile: '{"birthYear":"1990"}',
      data: '{"terms":"yes","extra":1}',
      subscriptions: '{"other":{"email":{"isSubscribed":true}}}',
    });
    assert.equal(r.body.errorCode, 400009);
    assert.equal(r.body.errorMessage, 'Validation error');
    assert.equal(r.body.errorDetails, 'Validation failed');
    assert.deepEqual(
      (r.body.validationErrors as Array<{ fieldName: string; errorCode: number }>).map((e) => [e.fieldName, e.errorCode]),
      [
        ['profile.birthYear', 400023],
        ['data.terms', 400023],
        ['data.extra', 400024],
        ['subscriptions.other', 400006],
      ],
    );
    const ok = await importLite(f, { email: 'schema@example.com', profile: '{"birthYear":1990}', subscriptions: '{"news":{"email":{"isSubscribed":true}}}' });
    assert.equal(ok.body.errorCode, 0, 'missing required zip and terms are fine for lite accounts');
  });

  it('counts imports in their own metric, apart from registrations', async () => {
    const f = await gigyaFixture(t.core);
    const metric = async (outcome: string) => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text.split('\n').find((l) => l.startsWith(`roster_gigya_lite_imports_total{outcome="${outcome}"}`));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const [created0, merged0] = [await metric('created'), await metric('merged')];
    await importLite(f, { email: 'm@example.com' });
    await importLite(f, { email: 'm@example.com', profile: '{"a":1}' });
    assert.equal(await metric('created'), created0 + 1);
    assert.equal(await metric('merged'), merged0 + 1);
  });

  it('gives one account for 100 concurrent imports of one email', async () => {
    const f = await gigyaFixture(t.core, { permissions: ['*'] });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => importLite(f, { email: 'race@example.com', data: JSON.stringify({ [`k${i}`]: i }) })),
    );
    const codes = results.map((r) => r.body.errorCode);
    assert.deepEqual([...new Set(codes)], [0], 'every concurrent import succeeds (they serialise on the email claim)');
    assert.equal(await t.core.accounts.count(f.ctx), 1);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'race@example.com');
    assert.equal(Object.keys(account?.data ?? {}).length, 100, 'every import is merged into the one account');
  });
});

describe('accounts.unsubscribe', () => {
  async function subscribed(f: GigyaFixture, email: string) {
    const r = await importLite(f, { email, subscriptions: JSON.stringify({ news: { daily: { email: { isSubscribed: true, tags: ['a', 'b'] } } } }) });
    assert.equal(r.body.errorCode, 0);
  }

  it('turns the subscription off, sets NotConfirmed and replaces tags; is idempotent and emits one event', async () => {
    const f = await gigyaFixture(t.core);
    await subscribed(f, 'u@example.com');
    const r = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'u@example.com', subscriptionID: 'news.daily', tags: '["c"]' }));
    assert.equal(r.body.errorCode, 0, r.raw);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'u@example.com');
    const sub = account?.subscriptions[0];
    assert.equal(sub?.isSubscribed, false);
    assert.equal(sub?.doubleOptIn.status, 'NotConfirmed');
    assert.deepEqual(sub?.tags, ['c']);
    const changedAt = sub?.lastUpdatedStateAt.getTime();
    const again = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'u@example.com', subscriptionID: 'news.daily' }));
    assert.equal(again.body.errorCode, 0);
    const after = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'u@example.com');
    assert.equal(after?.subscriptions[0]?.lastUpdatedStateAt.getTime(), changedAt);
    const events = await t.store.outbox.listForAccount(f.tenant.id, after?.uid as AccountUid);
    const offs = events.filter((e) => e.event.type === 'subscription.changed' && e.event.payload.isSubscribed === false);
    assert.equal(offs.length, 1);
  });

  it('clears the tags when given empty, and finds the person by channelToken, anonymously too', async () => {
    const f = await gigyaFixture(t.core);
    await subscribed(f, 'tok@example.com');
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'tok@example.com');
    const r = await call(t.app, UNSUBSCRIBE, { apiKey: f.apiKey, channelToken: account?.emailToken as string, subscriptionID: 'news.daily', tags: '' });
    assert.equal(r.body.errorCode, 0, r.raw);
    const after = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'tok@example.com');
    assert.equal(after?.subscriptions[0]?.isSubscribed, false);
    assert.deepEqual(after?.subscriptions[0]?.tags, []);
  });

  it('403007 for an anonymous call by email; 403047 for an unknown email or token; 400006 for an unknown subscription', async () => {
    const f = await gigyaFixture(t.core);
    await subscribed(f, 'known@example.com');
    const anon = await call(t.app, UNSUBSCRIBE, { apiKey: f.apiKey, email: 'known@example.com', subscriptionID: 'news.daily' });
    assert.equal(anon.body.errorCode, 403007);
    const unknown = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'nobody@example.com', subscriptionID: 'news.daily' }));
    assert.equal(unknown.body.errorCode, 403047);
    assert.equal(unknown.body.errorMessage, 'Login ID does not exist');
    const badToken = await call(t.app, UNSUBSCRIBE, { apiKey: f.apiKey, channelToken: 'nope', subscriptionID: 'news.daily' });
    assert.equal(badToken.body.errorCode, 403047);
    const sub = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'known@example.com', subscriptionID: 'sports' }));
    assert.equal(sub.body.errorCode, 400006);
    assert.match(String(sub.body.errorDetails), /subscriptionID/);
    const noId = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'known@example.com' }));
    assert.equal(noId.body.errorCode, 400002);
    assert.equal(noId.body.errorDetails, 'Missing required parameter : subscriptionID');
  });

  it('succeeds for a subscription the site schema declares but the person never had', async () => {
    const f = await gigyaFixture(t.core, {
      settings: { gigya: { schema: { subscriptionsSchema: { fields: { sports: { email: {} }, 'news.daily': { email: {} } } } } } },
    });
    await subscribed(f, 'never@example.com');
    const r = await call(t.app, UNSUBSCRIBE, creds(f, { email: 'never@example.com', subscriptionID: 'sports' }));
    assert.equal(r.body.errorCode, 0);
  });
});
