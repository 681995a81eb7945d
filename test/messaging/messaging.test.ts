import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type Core, registrationCodeAad } from '../../src/core/index.js';
import { requestConfirmation } from '../../src/core/subscriptions.js';
import type { AccountUid, CallContext, SiteId, Subscription } from '../../src/core/types.js';
import { createDevMailbox } from '../../src/messaging/mailbox.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds, systemClock } from '../../src/system.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { emit, runUntil, startReceiver, testWorker, workerSettings } from '../helpers/events.js';
import { newTenant, testCore, testSecretBox } from '../helpers/store.js';

interface Received {
  to: string;
  subject: string;
  text: string;
  html: string;
  language: string | undefined;
  messageId: string | undefined;
}

async function startSmtp() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            to: Array.isArray(mail.to) ? (mail.to[0]?.text ?? '') : (mail.to?.text ?? ''),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            language: mail.headers.get('content-language') as string | undefined,
            messageId: mail.messageId,
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A double opt-in confirmation asked for the way the core asks for one (event and link token in
 * one transaction); the person's profile.locale picks the email's language. Answers the link token.
 */
async function requestDoi(store: OpenedStore, ctx: CallContext, uid: AccountUid): Promise<string> {
  const deps = { store, clock: systemClock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher };
  const eventId = await store.transaction(async (tx) => {
    const account = await tx.accounts.lock(ctx.tenantId, uid);
    assert.ok(account);
    const subscription = { subscriptionId: 'newsletter', channel: 'email' as const } as Subscription;
    return requestConfirmation(tx, deps, ctx, account, subscription, new Date());
  });
  const link = await testCore(store).doubleOptIn.confirmationToken(ctx, eventId);
  assert.ok(link);
  return link.token;
}

describe('messaging', () => {
  let t: TestApp;
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    t = await buildTestApp();
    store = t.store;
    core = t.core;
  });
  after(async () => {
    await t.close();
  });

  it('sends the double opt-in email over SMTP in the account language, with the confirmation link, once per event', async () => {
    const smtp = await startSmtp();
    const { tenant, ctx } = await newTenant(core, 'mail');
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }, { smtpUrl: smtp.url }));
    const en = await core.accounts.upsertLite(ctx, { email: 'en@example.com', profile: { locale: 'en' } }, { via: 'lite' });
    const nb = await core.accounts.upsertLite(ctx, { email: 'nb@example.com', profile: { locale: 'nb-NO' } }, { via: 'lite' });
    const since = new Date(Date.now() - 1000);
    const enToken = await requestDoi(store, ctx, en.account.uid);
    const nbToken = await requestDoi(store, ctx, nb.account.uid);
    await runUntil(worker, () => smtp.received.length === 2);

    // The link in the mail is the path Roster serves (CONFIRM_PATH).
    const english = smtp.received.find((m) => m.to === 'en@example.com')!;
    assert.equal(english.subject, 'Please confirm your subscription');
    assert.ok(english.text.includes(`https://roster.test/doi/confirm?token=${encodeURIComponent(enToken)}`));
    assert.ok(english.html.includes(`href="https://roster.test/doi/confirm?token=${encodeURIComponent(enToken)}"`));
    assert.equal(english.language, 'en');
    const norwegian = smtp.received.find((m) => m.to === 'nb@example.com')!;
    assert.equal(norwegian.subject, 'Bekreft abonnementet ditt');
    assert.ok(norwegian.text.includes(`token=${encodeURIComponent(nbToken)}`));
    assert.equal(norwegian.language, 'nb');

    // Replaying the events does not send again: the ledger remembers (event, channel, recipient).
    await worker.deliveries.replay({ tenantId: tenant.id, since }, (e) => worker.router.sinksFor(e), new Date());
    await runUntil(worker, async () => !(await worker.deliveries.counts(tenant.id)).pending);
    assert.equal(smtp.received.length, 2);
    await worker.stop();
    await smtp.close();
  });

  it('after a crash between send and commit, resends with the same Message-ID; a site template overrides the default', async () => {
    const smtp = await startSmtp();
    const { tenant, site, ctx } = await newTenant(core, 'crash');
    await core.sites.setSettings(tenant.id, site.id, 'messaging', {
      doiConfirmUrl: 'https://news.example/confirm/{token}',
      templates: { doi_confirmation: { de: { subject: 'Bitte bestätigen', text: 'Link: {{confirmUrl}}' } } },
    });
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }, { smtpUrl: smtp.url }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'de@example.com', profile: { locale: 'de' } }, { via: 'lite' });
    const token = await requestDoi(store, ctx, account.uid);
    await runUntil(worker, () => smtp.received.length === 1);
    assert.equal(smtp.received[0]?.subject, 'Bitte bestätigen');
    assert.equal(smtp.received[0]?.text.trim(), `Link: https://news.example/confirm/${encodeURIComponent(token)}`);

    // Simulate the crash window: the mail went out but 'sent' was never recorded, and the delivery is retried.
    await store.db.updateTable('message_sends').set({ state: 'sending' }).where('tenant_id', '=', tenant.id).execute();
    await store.db.updateTable('event_deliveries').set({ status: 'pending' }).where('tenant_id', '=', tenant.id).execute();
    await runUntil(worker, async () => !(await worker.deliveries.counts(tenant.id)).pending);
    assert.equal(smtp.received.length, 2, 'never lost: sent again');
    assert.equal(smtp.received[0]?.messageId, smtp.received[1]?.messageId, 'same Message-ID, so mail systems fold the copy');
    const ledger = await store.db.selectFrom('message_sends').selectAll().where('tenant_id', '=', tenant.id).execute();
    assert.deepEqual(
      ledger.map((r) => [r.state, r.attempts]),
      [['sent', 2]],
    );
    await worker.stop();
    await smtp.close();
  });

  it('keeps email and SMS in the dev mailbox without SMTP, shows them at /dev/mailbox, and never messages imports', async () => {
    const { tenant, ctx } = await newTenant(core, 'dev');
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }));
    await core.sites.setSettings(tenant.id, ctx.siteId as SiteId, 'messaging', { clubName: 'infinity-mall' });
    const { account } = await core.accounts.upsertLite(ctx, { email: 'dev@example.com' }, { via: 'lite' });
    const uid = account.uid;
    await emit(store, ctx, {
      type: 'member.welcome_message_requested',
      accountUid: uid,
      payload: { memberId: account.numericId, channel: 'sms', to: '4791234567', language: 'nb', productName: null },
    });
    await emit(store, ctx, {
      type: 'member.registration_password_requested',
      accountUid: null,
      payload: {
        channel: 'sms',
        to: '4791234567',
        language: 'en',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        sealedCode: testSecretBox.seal('4711', registrationCodeAad(tenant.id, 'msisdn', '4791234567')),
      },
    });
    await emit(store, ctx, {
      type: 'member.welcome_message_requested',
      accountUid: uid,
      payload: { memberId: account.numericId, channel: 'email', to: 'dev@example.com', language: null, productName: null },
    });
    // An import: never a welcome message.
    await emit(
      store,
      { ...ctx, origin: { facade: 'import' } },
      {
        type: 'member.welcome_message_requested',
        accountUid: uid,
        payload: { memberId: account.numericId, channel: 'email', to: 'imported@example.com', language: null, productName: null },
      },
    );
    await runUntil(worker, async () => !(await worker.deliveries.counts(tenant.id)).pending && (await worker.deliveries.counts(tenant.id)).delivered === 4);

    const messages = await createDevMailbox(store.db).list({ tenantId: tenant.id });
    assert.deepEqual(messages.map((m) => [m.channel, m.recipient, m.subject, m.text]).reverse(), [
      ['sms', '4791234567', null, 'Velkommen til infinity-mall! Medlemskapet ditt er aktivt.'],
      ['sms', '4791234567', null, 'Your infinity-mall code: 4711'],
      ['email', 'dev@example.com', 'Welcome to infinity-mall', 'Welcome to infinity-mall! Your membership is active.'],
    ]);
    const page = await t.app.inject({ method: 'GET', url: '/dev/mailbox?format=json&to=dev@example.com', remoteAddress: '127.0.0.1' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.json().messages[0].subject, 'Welcome to infinity-mall');
    const remote = await t.app.inject({ method: 'GET', url: '/dev/mailbox', remoteAddress: '203.0.113.9' });
    assert.equal(remote.statusCode, 404);
    await worker.stop();
  });

  it('sends SMS through the HTTP provider with an idempotency key', async () => {
    const provider = await startReceiver(() => 202);
    const { tenant, ctx } = await newTenant(core, 'sms');
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id] }, { smsUrl: provider.url, smsToken: 'sms-token' }));
    await core.sites.setSettings(tenant.id, ctx.siteId as SiteId, 'messaging', { clubName: 'club' });
    await emit(store, ctx, {
      type: 'member.registration_password_requested',
      accountUid: null,
      payload: {
        channel: 'sms',
        to: '4790000000',
        language: 'nb',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        sealedCode: testSecretBox.seal('9876', registrationCodeAad(tenant.id, 'msisdn', '4790000000')),
      },
    });
    await runUntil(worker, () => provider.requests.length === 1);
    const request = provider.requests[0]!;
    assert.equal(request.headers.authorization, 'Bearer sms-token');
    assert.match(String(request.headers['idempotency-key']), /:sms:4790000000$/);
    assert.deepEqual(JSON.parse(request.body).text, 'Din kode for club: 9876');
    await worker.stop();
    await provider.close();
  });
});
