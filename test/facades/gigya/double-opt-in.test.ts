import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

/** Double opt-in end to end: setAccountInfo → outbox event → link token by event id → one click → Confirmed with proof. */

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const creds = (f: GigyaFixture, extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });
const schema = {
  subscriptionsSchema: {
    fields: { 'news.daily': { email: { type: 'subscription', doubleOptIn: true } }, weekly: { email: { type: 'subscription', doubleOptIn: true } } },
  },
};

async function pendingAccount(f: GigyaFixture, email: string, subscriptions = '{"news":{"daily":{"email":{"isSubscribed":true}}}}') {
  const imported = await call(t.app, 'accounts.importLiteAccount', creds(f, { email }));
  assert.equal(imported.body.errorCode, 0, imported.raw);
  const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', email);
  assert.ok(account);
  const set = await call(t.app, 'accounts.setAccountInfo', creds(f, { UID: account.uid, subscriptions }), { headers: { 'user-agent': 'Requester/1.0' } });
  assert.equal(set.body.errorCode, 0, set.raw);
  const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
  const requests = events.filter((e) => e.event.type === 'subscription.confirmation_requested');
  return { account, requests };
}

/** Opens the link (GET), then presses the page's button (POST of the form it shows). */
async function click(token: string, userAgent = 'Clicker/2.0') {
  const page = await open(token);
  if (page.statusCode !== 200 || !page.body.includes('<form')) return page;
  const field = /name="token" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
  return press(field.replace(/&amp;/g, '&'), userAgent);
}

function open(token: string, method: 'GET' | 'HEAD' = 'GET', headers: Record<string, string> = {}) {
  return t.app.inject({
    method,
    url: `/doi/confirm?token=${encodeURIComponent(token)}`,
    headers: { 'user-agent': 'Scanner/1.0', ...headers },
    remoteAddress: '127.0.0.9',
  });
}

function press(token: string, userAgent = 'Clicker/2.0') {
  return t.app.inject({
    method: 'POST',
    url: '/doi/confirm',
    payload: new URLSearchParams({ token }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': userAgent },
    remoteAddress: '127.0.0.2',
  });
}

const confirmedEvents = async (f: GigyaFixture, uid: string) =>
  (await t.store.outbox.listForAccount(f.tenant.id, uid as never)).filter((e) => e.event.type === 'subscription.confirmed').length;

describe('double opt-in confirmation link', () => {
  it('confirms once: Confirmed with confirmTime, proof of request and confirmation, subscription.confirmed event', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const { account, requests } = await pendingAccount(f, 'doi@example.com');
    assert.equal(requests.length, 1);
    const request = requests[0];
    assert.ok(request);
    const link = await t.core.doubleOptIn.confirmationToken(f.ctx, request.id);
    assert.ok(link);
    // The event delivered to webhooks never carries the token; the table keeps only its hash and a sealed copy.
    assert.ok(!JSON.stringify(request).includes(link.token));
    const row = await t.store.db
      .selectFrom('doi_confirmations')
      .selectAll()
      .where('tenant_id', '=', f.tenant.id)
      .where('event_id', '=', request.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.token_hash, link.token);
    assert.ok(!row.token_sealed.includes(link.token));
    assert.ok(link.expiresAt.getTime() > Date.now() + 6 * 24 * 3600 * 1000);

    const pending = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn;
    assert.equal(pending?.status, 'Pending');
    assert.equal(pending?.requestUserAgent, 'Requester/1.0');
    assert.equal(pending?.requestIp, '127.0.0.1');

    // A scanner's HEAD and GET confirm nothing; the GET page names the list and asks for the click.
    assert.equal((await open(link.token, 'HEAD')).statusCode, 200);
    const page = await open(link.token);
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-type'] as string, /^text\/html/);
    assert.match(page.body, /Confirm your subscription/);
    assert.match(page.body, /<span class="list">news\.daily<\/span>/);
    assert.match(page.body, /<form method="post" action="\/doi\/confirm">/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'; style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    assert.equal((await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn.status, 'Pending');
    assert.equal(await confirmedEvents(f, account.uid), 0);

    const response = await press(link.token);
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /You are subscribed/);

    const confirmed = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0];
    assert.equal(confirmed?.isSubscribed, true);
    assert.equal(confirmed?.doubleOptIn.status, 'Confirmed');
    assert.ok(confirmed?.doubleOptIn.confirmedAt);
    assert.equal(confirmed?.doubleOptIn.requestIp, '127.0.0.1');
    assert.equal(confirmed?.doubleOptIn.requestUserAgent, 'Requester/1.0');
    assert.equal(confirmed?.doubleOptIn.confirmIp, '127.0.0.2');
    assert.equal(confirmed?.doubleOptIn.confirmUserAgent, 'Clicker/2.0');

    const events = await t.store.outbox.listForAccount(f.tenant.id, account.uid);
    const proof = events.filter((e) => e.event.type === 'subscription.confirmed');
    assert.equal(proof.length, 1);
    assert.deepEqual(proof[0]?.event.payload, {
      subscriptionId: 'news.daily',
      channel: 'email',
      confirmedAt: confirmed?.doubleOptIn.confirmedAt?.toISOString(),
      requestedAt: confirmed?.doubleOptIn.emailSentAt?.toISOString(),
      requestIp: '127.0.0.1',
      requestUserAgent: 'Requester/1.0',
      confirmIp: '127.0.0.2',
      confirmUserAgent: 'Clicker/2.0',
    });

    const info = await call(t.app, 'accounts.getAccountInfo', creds(f, { UID: account.uid, include: 'subscriptions' }));
    const doi = (info.body.subscriptions as { news: { daily: { email: { doubleOptIn: Record<string, unknown> } } } }).news.daily.email.doubleOptIn;
    // Gigya's doubleOptIn object, exactly: the IPs and user agents of the proof are not in it (gigya-wire §6).
    assert.deepEqual(doi, {
      status: 'Confirmed',
      emailSentTime: confirmed?.doubleOptIn.emailSentAt?.toISOString(),
      confirmTime: confirmed?.doubleOptIn.confirmedAt?.toISOString(),
      doiConditionallyConfirmed: false,
    });

    // Single use, idempotent: a second POST changes nothing and says so; the sender no longer gets the token.
    const again = await press(link.token, 'Other/3.0');
    assert.equal(again.statusCode, 200);
    assert.match(again.body, /Already confirmed/);
    assert.equal((await open(link.token)).statusCode, 200);
    assert.equal((await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn.confirmUserAgent, 'Clicker/2.0');
    assert.equal((await t.store.outbox.listForAccount(f.tenant.id, account.uid)).filter((e) => e.event.type === 'subscription.confirmed').length, 1);
    assert.equal(await t.core.doubleOptIn.confirmationToken(f.ctx, request.id), undefined);
  });

  it('expired, unknown and tampered links confirm nothing; a link after unsubscribing finds nothing pending', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const { account, requests } = await pendingAccount(
      f,
      'doi2@example.com',
      '{"news":{"daily":{"email":{"isSubscribed":true}}},"weekly":{"email":{"isSubscribed":true}}}',
    );
    assert.equal(requests.length, 2);
    const [daily, weekly] = await Promise.all(requests.map((r) => t.core.doubleOptIn.confirmationToken(f.ctx, r.id)));
    assert.ok(daily && weekly);
    assert.equal((await click(`${daily.token}x`)).statusCode, 404);
    assert.equal((await click('')).statusCode, 404);
    assert.equal((await click('a'.repeat(500))).statusCode, 404);
    await t.store.db
      .updateTable('doi_confirmations')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('event_id', '=', requests[0]?.id as string)
      .execute();
    const expired = await click(daily.token);
    assert.equal(expired.statusCode, 410);
    assert.match(expired.body, /This link has expired/);
    assert.equal((await press(daily.token)).statusCode, 410);

    const unsubscribed = await call(
      t.app,
      'accounts.setAccountInfo',
      creds(f, { UID: account.uid, subscriptions: '{"weekly":{"email":{"isSubscribed":false}}}' }),
    );
    assert.equal(unsubscribed.body.errorCode, 0);
    const late = await click(weekly.token);
    assert.equal(late.statusCode, 200);
    assert.match(late.body, /Nothing to confirm/);
    const subscriptions = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions;
    assert.ok(subscriptions.every((s) => s.doubleOptIn.status !== 'Confirmed'));
    assert.equal((await t.store.outbox.listForAccount(f.tenant.id, account.uid)).filter((e) => e.event.type === 'subscription.confirmed').length, 0);
  });

  it('two simultaneous clicks confirm once', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const { account, requests } = await pendingAccount(f, 'doi3@example.com');
    const link = await t.core.doubleOptIn.confirmationToken(f.ctx, requests[0]?.id as string);
    assert.ok(link);
    const results = await Promise.all([press(link.token), press(link.token), press(link.token)]);
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [200, 200, 200],
    );
    assert.equal(results.filter((r) => r.body.includes('You are subscribed')).length, 1);
    assert.equal((await t.store.outbox.listForAccount(f.tenant.id, account.uid)).filter((e) => e.event.type === 'subscription.confirmed').length, 1);
  });
});

describe('one-click confirmation (settings.pages.oneClickConfirm)', () => {
  it('a site that keeps one-click confirms on GET, but never on HEAD or an announced prefetch', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema }, pages: { oneClickConfirm: true } } });
    const { account, requests } = await pendingAccount(f, 'oneclick@example.com');
    const link = await t.core.doubleOptIn.confirmationToken(f.ctx, requests[0]?.id as string);
    assert.ok(link);
    assert.equal((await open(link.token, 'HEAD')).statusCode, 200);
    const prefetched = await open(link.token, 'GET', { 'sec-purpose': 'prefetch' });
    assert.match(prefetched.body, /<form/);
    assert.equal(await confirmedEvents(f, account.uid), 0);
    const clicked = await open(link.token, 'GET', { 'user-agent': 'Clicker/2.0' });
    assert.equal(clicked.statusCode, 200);
    assert.match(clicked.body, /You are subscribed/);
    const doi = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn;
    assert.equal(doi?.status, 'Confirmed');
    assert.equal(doi?.confirmUserAgent, 'Clicker/2.0');
    assert.equal(await confirmedEvents(f, account.uid), 1);
  });
});

describe('double opt-in through messaging', () => {
  it('mails the confirmation link the worker builds from the event, and that link confirms', async () => {
    const { createDevMailbox } = await import('../../../src/messaging/mailbox.js');
    const { runUntil, testWorker, workerSettings } = await import('../../helpers/events.js');
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const { account, requests } = await pendingAccount(f, 'mailed@example.com');
    assert.equal(requests.length, 1);
    const worker = testWorker(t.store, t.core, workerSettings({ tenants: [f.tenant.id] }));
    const mailbox = createDevMailbox(t.store.db);
    await runUntil(worker, async () => (await mailbox.list({ tenantId: f.tenant.id })).length > 0);
    await worker.stop();
    const [mail] = await mailbox.list({ tenantId: f.tenant.id });
    assert.equal(mail?.recipient, 'mailed@example.com');
    const url = /https?:\/\/\S+\/doi\/confirm\?token=[A-Za-z0-9_%.-]+/.exec(mail?.text ?? '')?.[0];
    assert.ok(url, mail?.text ?? 'no mail text');
    const token = decodeURIComponent(new URL(url).searchParams.get('token') ?? '');
    assert.equal((await click(token)).statusCode, 200);
    const confirmed = (await t.core.accounts.get(f.ctx, account.uid)).subscriptions[0]?.doubleOptIn;
    assert.equal(confirmed?.status, 'Confirmed');
    assert.equal(confirmed?.confirmUserAgent, 'Clicker/2.0');
  });
});

describe('double opt-in link: bad requests', () => {
  it('answers a page, never a JSON error or a 5xx, for a body that does not read; the stylesheet is served', async () => {
    const wrongType = await t.app.inject({ method: 'POST', url: '/doi/confirm', payload: '<token/>', headers: { 'content-type': 'application/xml' } });
    assert.equal(wrongType.statusCode, 415);
    assert.match(wrongType.headers['content-type'] as string, /^text\/html/);
    assert.match(wrongType.body, /Link not recognised/);
    const tooLarge = await t.app.inject({
      method: 'POST',
      url: '/doi/confirm',
      payload: `token=${'a'.repeat(10_000)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(tooLarge.statusCode, 413);
    assert.match(tooLarge.body, /Link not recognised/);
    const empty = await press('');
    assert.equal(empty.statusCode, 404);
    const css = await t.app.inject({ method: 'GET', url: '/pages/pages.css' });
    assert.equal(css.statusCode, 200);
    assert.match(css.headers['content-type'] as string, /^text\/css/);
    assert.match(css.body, /\.button\{/);
  });
});
