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
const schema = { subscriptionsSchema: { fields: { 'news.daily': { email: { type: 'subscription', doubleOptIn: true } } } } };

async function lite(f: GigyaFixture, email: string) {
  const r = await call(t.app, 'accounts.importLiteAccount', creds(f, { email, profile: '{"firstName":"Lu"}' }));
  assert.equal(r.body.errorCode, 0, r.raw);
  const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', email);
  assert.ok(account);
  return account;
}

describe('accounts.getLiteToken and getAccountInfo with regToken', () => {
  it('issues a token by email or emailToken that reads the account, client-side with the apiKey only', async () => {
    const f = await gigyaFixture(t.core);
    const account = await lite(f, 'token@example.com');
    const byEmail = await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'Token@Example.com' }));
    assert.equal(byEmail.body.errorCode, 0, byEmail.raw);
    const token = String(byEmail.body.token);
    assert.match(token, /^[A-Za-z0-9_-]{40,}$/);
    const read = await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, regToken: token, include: 'profile' });
    assert.equal(read.body.errorCode, 0, read.raw);
    assert.equal(read.body.UID, account.uid);
    assert.deepEqual(read.body.profile, { email: 'token@example.com', firstName: 'Lu' });
    const byToken = await call(t.app, 'accounts.getLiteToken', creds(f, { emailToken: account.emailToken }));
    assert.equal(byToken.body.errorCode, 0);
    assert.notEqual(byToken.body.token, token);
    // Only the hash is stored.
    const stored = await t.store.db.selectFrom('lite_tokens').select('token_hash').where('tenant_id', '=', f.tenant.id).execute();
    assert.equal(stored.length, 2);
    assert.ok(stored.every((s) => s.token_hash !== token && /^[0-9a-f]{64}$/.test(s.token_hash)));
  });

  it('expired, unknown and other-tenant tokens read nothing; bad parameters are refused', async () => {
    const f = await gigyaFixture(t.core);
    await lite(f, 'expiry@example.com');
    const r = await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'expiry@example.com', sessionExpiration: '60' }));
    const token = String(r.body.token);
    await t.store.db
      .updateTable('lite_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('tenant_id', '=', f.tenant.id)
      .execute();
    const expired = await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, regToken: token });
    assert.equal(expired.body.errorCode, 400006);
    const unknown = await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, regToken: 'nope' });
    assert.equal(unknown.body.errorCode, 400006);
    const other = await gigyaFixture(t.core);
    const fresh = await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'expiry@example.com' }));
    const cross = await call(t.app, 'accounts.getAccountInfo', { apiKey: other.apiKey, regToken: String(fresh.body.token) });
    assert.equal(cross.body.errorCode, 400006);
    assert.equal((await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'nobody@example.com' }))).body.errorCode, 403047);
    assert.equal((await call(t.app, 'accounts.getLiteToken', creds(f, {}))).body.errorCode, 400002);
    assert.equal((await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'a@b.c', emailToken: 'x' }))).body.errorCode, 400006);
    assert.equal((await call(t.app, 'accounts.getLiteToken', creds(f, { email: 'expiry@example.com', sessionExpiration: '0' }))).body.errorCode, 400006);
    assert.equal((await call(t.app, 'accounts.getLiteToken', { apiKey: f.apiKey, email: 'expiry@example.com' })).body.errorCode, 403007);
  });
});

describe('accounts.deleteAccount and accounts.deleteLiteAccount', () => {
  it('deleteAccount erases the account with its subscriptions and writes account.deleted; unknown UID → 403005', async () => {
    const f = await gigyaFixture(t.core);
    const account = await lite(f, 'gone@example.com');
    const r = await call(t.app, 'accounts.deleteAccount', creds(f, { UID: account.uid }));
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'gone@example.com'), undefined);
    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    assert.deepEqual(events.at(-1)?.event, { type: 'account.deleted', accountUid: account.uid, payload: { email: 'gone@example.com', scope: 'all' } });
    const again = await call(t.app, 'accounts.deleteAccount', creds(f, { UID: account.uid }));
    assert.equal(again.body.errorCode, 403005);
    assert.equal((await call(t.app, 'accounts.deleteAccount', creds(f, {}))).body.errorCode, 400002);
  });

  it('deleteLiteAccount deletes a lite-only account, and only the lite part of a full one', async () => {
    const f = await gigyaFixture(t.core);
    const liteOnly = await lite(f, 'lite-only@example.com');
    const r = await call(t.app, 'accounts.deleteLiteAccount', creds(f, { emailAccountToken: liteOnly.emailToken }));
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'lite-only@example.com'), undefined);

    const both = await lite(f, 'both@example.com');
    await t.core.accounts.update(f.ctx, both.uid, () => ({ patch: { hasFullAccount: true }, changed: ['hasFullAccount'] }));
    const partial = await call(t.app, 'accounts.deleteLiteAccount', creds(f, { emailAccountToken: both.emailToken }));
    assert.equal(partial.body.errorCode, 0, partial.raw);
    const kept = await t.core.accounts.get(f.ctx, both.uid);
    assert.equal(kept.hasFullAccount, true);
    assert.equal(kept.hasLiteAccount, false);
    const events = await t.store.outbox.listForAccount(f.tenant.id, both.uid);
    assert.deepEqual(events.at(-1)?.event.payload, { email: 'both@example.com', scope: 'lite' });
    assert.equal((await call(t.app, 'accounts.deleteLiteAccount', creds(f, { emailAccountToken: 'nope' }))).body.errorCode, 403047);
  });
});

describe('accounts.resendDOIConfirmationEmail', () => {
  it('asks again for a Pending subscription (new event, new link, emailSentTime moves); refuses otherwise', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const account = await lite(f, 'resend@example.com');
    const set = await call(
      t.app,
      'accounts.setAccountInfo',
      creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":true}}}}' }),
    );
    assert.equal(set.body.errorCode, 0, set.raw);
    const first = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn.emailSentAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const r = await call(t.app, 'accounts.resendDOIConfirmationEmail', creds(f, { email: 'resend@example.com', subscriptionId: 'news.daily', lang: 'de' }));
    assert.equal(r.body.errorCode, 0, r.raw);
    const after = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn;
    assert.equal(after?.status, 'Pending');
    assert.ok((after?.emailSentAt?.getTime() ?? 0) > (first?.getTime() ?? 0));
    const requests = (await t.store.outbox.listForAccount(f.tenant.id, account.uid)).filter((e) => e.event.type === 'subscription.confirmation_requested');
    assert.equal(requests.length, 2);
    const links = await Promise.all(requests.map((e) => t.core.doubleOptIn.confirmationToken(f.ctx, e.id)));
    assert.ok(links[0] && links[1] && links[0].token !== links[1].token);

    const unknownSub = await call(t.app, 'accounts.resendDOIConfirmationEmail', creds(f, { email: 'resend@example.com', subscriptionId: 'nope' }));
    assert.equal(unknownSub.body.errorCode, 400006);
    const unknownEmail = await call(t.app, 'accounts.resendDOIConfirmationEmail', creds(f, { email: 'nobody@example.com', subscriptionId: 'news.daily' }));
    assert.equal(unknownEmail.body.errorCode, 403047);
    await call(t.app, 'accounts.setAccountInfo', creds(f, { UID: account.uid, subscriptions: '{"news":{"daily":{"email":{"isSubscribed":false}}}}' }));
    const notPending = await call(t.app, 'accounts.resendDOIConfirmationEmail', creds(f, { email: 'resend@example.com', subscriptionId: 'news.daily' }));
    assert.equal(notPending.body.errorCode, 400006);
    assert.match(String(notPending.body.errorDetails), /subscriptionId/);
  });
});
