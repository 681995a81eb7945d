import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { type AccountUid, type Core, createCore } from '../../../src/core/index.js';
import { createDevMailbox } from '../../../src/messaging/mailbox.js';
import { argon2Hasher } from '../../../src/security/password-hasher.js';
import type { OpenedStore } from '../../../src/store/index.js';
import { cryptoIds } from '../../../src/system.js';
import { testConfig } from '../../helpers/app.js';
import { runUntil, testWorker, workerSettings } from '../../helpers/events.js';
import { openTestStore, testSecretBox } from '../../helpers/store.js';
import { headersFor, type NavigaClient, provisionClient } from './fixtures.js';

/** A clock the test moves: code and token expiry without waiting. */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
let store: OpenedStore;
let core: Core;
let app: FastifyInstance;
let client: NavigaClient;

before(async () => {
  store = await openTestStore();
  core = createCore({ store, clock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
  app = await buildApp({ config: testConfig(), core, store });
  client = await provisionClient(core);
});
after(async () => {
  await app.close();
  await store.close();
});

const PASSWORD = 'Events-Pass-1';

const send = async (method: 'POST' | 'PUT' | 'PATCH' | 'GET', url: string, body?: unknown, c: NavigaClient = client) =>
  app.inject({
    method,
    url,
    headers: { ...(await headersFor(c)), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { payload: JSON.stringify(body) }),
  });

/** The Naviga codes written for a person, in order: [eventCode, eventId, the core event they name]. */
async function navigaEvents(uid: string, c: NavigaClient = client) {
  return (await store.outbox.listForAccount(c.tenant.id, uid as AccountUid))
    .map((row) => row.event)
    .filter((event) => event.type === 'account.vendor_event')
    .map((event) => {
      const p = event.payload as { eventCode: string; eventId: number; of: string };
      return [p.eventCode, p.eventId, p.of];
    });
}

/** The 6-digit code in the last verification mail to `email`, delivered by the messaging worker. */
async function mailedCode(email: string, c: NavigaClient = client): Promise<string> {
  const code = /verification code is (\d{6})\b/.exec(await lastMail(email, c))?.[1];
  assert.ok(code, 'no code in the mail');
  return code;
}

/** The link token (`ticket`) in the verification mail to `email` delivered last (by mailedCode). */
async function mailedLinkToken(email: string, c: NavigaClient = client): Promise<string> {
  const [latest] = await createDevMailbox(store.db).list({ tenantId: c.tenant.id, recipient: email });
  const ticket = /[?&]ticket=([^\s&"]+)/.exec(latest?.text ?? '')?.[1];
  assert.ok(ticket, 'no link in the mail');
  return decodeURIComponent(ticket);
}

/** The text of the last mail to `email`, delivered by the messaging worker. */
async function lastMail(email: string, c: NavigaClient): Promise<string> {
  const mailbox = createDevMailbox(store.db);
  const before = (await mailbox.list({ tenantId: c.tenant.id, recipient: email })).length;
  const worker = testWorker(store, core, workerSettings({ tenants: [c.tenant.id] }));
  await runUntil(worker, async () => (await mailbox.list({ tenantId: c.tenant.id, recipient: email })).length > before);
  await worker.stop();
  // The mailbox lists the newest first.
  const [latest] = await mailbox.list({ tenantId: c.tenant.id, recipient: email });
  return latest?.text ?? '';
}

describe('naviga write events (spec A.7): one Naviga code per state change, in the write transaction', () => {
  it('create 4002, authenticate 4006, update 4004, password 4010, email 4011, forgot start 4009 and finish 4010; failures write none', async () => {
    const created = await send('POST', '/v4/Users', { email: 'events@example.com', password: PASSWORD, firstName: 'Eva' });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().data.customerRegistrationId as string;
    assert.deepEqual(await navigaEvents(id), [['SUBSCRIBE_USER_CREATE', 4002, 'account.registered']]);

    await send('POST', '/v4/Users/Authentication', { loginName: 'events@example.com', password: 'wrong-password' });
    await send('POST', '/v4/Users/Authentication', { loginName: 'events@example.com', password: PASSWORD });
    await send('PUT', `/v4/Users/${id}/`, { firstName: 'Eve' });
    await send('PUT', `/v4/Users/${id}/`, { firstName: 'Eve' }); // nothing changes: no event
    await send('PATCH', `/v4/Users/${id}/Password`, { password: 'x' }); // refused: no event
    await send('PATCH', `/v4/Users/${id}/Password`, { password: 'Events-Pass-2' });
    const start = await send('POST', '/v4/Users/ForgotPassword', { loginName: 'events@example.com' });
    await send('PUT', '/v4/Users/ForgotPassword', { encryptedEventId: start.json().data.encryptedEventId, password: 'Events-Pass-3' });
    await send('PATCH', `/v4/Users/${id}/Email`, { email: 'events-new@example.com' });
    assert.deepEqual(await navigaEvents(id), [
      ['SUBSCRIBE_USER_CREATE', 4002, 'account.registered'],
      ['SUBSCRIBE_USER_LOGIN', 4006, 'account.logged_in'],
      ['SUBSCRIBE_USER_UPDATE', 4004, 'account.updated'],
      ['SUBSCRIBE_USER_CHANGEPASSWORD', 4010, 'account.password_changed'],
      ['SUBSCRIBE_USER_STARTFORGOTPASSWORD', 4009, 'account.password_reset_requested'],
      ['SUBSCRIBE_USER_CHANGEPASSWORD', 4010, 'account.password_changed'],
      ['SUBSCRIBE_USER_CHANGEEMAIL', 4011, 'account.updated'],
    ]);

    // Each code sits right after the change it names, written by the same transaction (same time, same origin).
    const rows = await store.outbox.listForAccount(client.tenant.id, id as AccountUid);
    for (const [i, row] of rows.entries()) {
      if (row.event.type !== 'account.vendor_event') continue;
      const named = rows[i - 1];
      assert.equal(named?.event.type, (row.event.payload as { of: string }).of);
      assert.equal(named?.createdAt.getTime(), row.createdAt.getTime());
      assert.equal(row.origin.facade, 'naviga');
      assert.equal(row.origin.sourceSystem, 'test-suite');
    }
  });

  it('a passwordless create is 4002 too; codes of events are configurable per client (naviga.codes)', async () => {
    const custom = await provisionClient(core, { codes: { createEvent: { code: 'SUBSCRIBE_USER_REGISTER', id: 4102 } } });
    const created = await send('POST', '/v4/Users', { email: 'lite-events@example.com' }, custom);
    assert.equal(created.statusCode, 200, created.body);
    assert.deepEqual(await navigaEvents(created.json().data.customerRegistrationId, custom), [['SUBSCRIBE_USER_REGISTER', 4102, 'account.created']]);
  });
});

describe('naviga 6-digit verification codes: VerificationCode (4003) and Verification (4002)', () => {
  it('sends a code for a new email (a pending user), verifies it once; E400_15 wrong, E400_16 again, E400_14 unknown email', async () => {
    const sent = await send('POST', '/v4/Users/VerificationCode', { Email: 'Code@Example.com', returnUrl: 'https://paper.example/done' });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.deepEqual(sent.json(), {
      message: { code: 'UsersOrchestrator_S200_13', text: 'Send Verification Code completed.', type: 'Success' },
      data: null,
      meta: null,
    });
    const pending = (await send('GET', '/v4/Users?email=code@example.com')).json().data[0];
    assert.equal(pending.verified, false);
    assert.equal(pending.state, 'Lite');
    const code = await mailedCode('code@example.com');

    const wrong = await send('POST', '/v4/Users/Verification', { email: 'code@example.com', verificationCode: code === '000000' ? '111111' : '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(wrong.json().message, { code: 'UsersOrchestrator_E400_15', text: 'The verification code is invalid.', type: 'Error' });
    const verified = await send('POST', '/v4/Users/Verification', { email: 'CODE@example.com', verificationCode: code });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().message.code, 'UsersOrchestrator_S200_14');
    assert.equal(verified.json().data.customerRegistrationId, pending.customerRegistrationId);
    assert.equal(verified.json().data.encryptedCustomerRegistrationId, pending.encryptedCustomerRegistrationId);
    assert.equal((await send('GET', '/v4/Users?email=code@example.com')).json().data[0].verified, true);

    const again = await send('POST', '/v4/Users/Verification', { email: 'code@example.com', verificationCode: code });
    assert.deepEqual(again.json().message, { code: 'UsersOrchestrator_E400_16', text: 'Email is already verified.', type: 'Error' });
    const resend = await send('POST', '/v4/Users/VerificationCode', { email: 'code@example.com' });
    assert.equal(resend.json().message.code, 'UsersOrchestrator_E400_16');
    const unknown = await send('POST', '/v4/Users/Verification', { email: 'nobody-code@example.com', verificationCode: '123456' });
    assert.deepEqual(unknown.json().message, { code: 'UsersOrchestrator_E400_14', text: 'The email is not registered.', type: 'Error' });
    const missing = await send('POST', '/v4/Users/Verification', { email: 'code@example.com' });
    assert.equal(missing.json().message.code, 'UsersOrchestrator_E400_00');
    const badEmail = await send('POST', '/v4/Users/VerificationCode', { email: 'not-an-email' });
    assert.equal(badEmail.json().message.code, 'UsersOrchestrator_E400_00');

    assert.deepEqual(await navigaEvents(pending.customerRegistrationId), [
      ['SUBSCRIBE_USER_CREATEPENDING', 4003, 'account.email_verification_requested'],
      ['SUBSCRIBE_USER_CREATE', 4002, 'account.email_verified'],
    ]);
  });

  it("five wrong codes spend the person's guesses: the right code and a re-sent one are refused; the link verifies and restores them", async () => {
    await send('POST', '/v4/Users/VerificationCode', { email: 'guess@example.com' });
    const first = await mailedCode('guess@example.com');
    const wrongCode = first === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) {
      const miss = await send('POST', '/v4/Users/Verification', { email: 'guess@example.com', verificationCode: wrongCode });
      assert.equal(miss.json().message.code, 'UsersOrchestrator_E400_15');
    }
    const ended = await send('POST', '/v4/Users/Verification', { email: 'guess@example.com', verificationCode: first });
    assert.equal(ended.json().message.code, 'UsersOrchestrator_E400_15', 'the right code no longer works after five misses');

    assert.equal((await send('POST', '/v4/Users/VerificationCode', { email: 'guess@example.com' })).statusCode, 200);
    const resent = await mailedCode('guess@example.com');
    const refused = await send('POST', '/v4/Users/Verification', { email: 'guess@example.com', verificationCode: resent });
    assert.equal(refused.json().message.code, 'UsersOrchestrator_E400_15', 'a new code does not restore the guesses');
    const linked = await send('POST', '/v4/Users/VerifyEmail', { token: await mailedLinkToken('guess@example.com') });
    assert.equal(linked.statusCode, 200, linked.body);
    const uid = linked.json().data.customerRegistrationId as AccountUid;
    const budget = await store.transaction((tx) => tx.credentialStates.lockCodeBudget(client.tenant.id, uid));
    assert.equal(budget.misses, 0, 'verifying restores the guesses');
  });

  it('verifying by the link spends the code of the same mail (it cannot verify again after the user is marked unverified)', async () => {
    await send('POST', '/v4/Users/VerificationCode', { email: 'link-first@example.com' });
    const code = await mailedCode('link-first@example.com');
    const linked = await send('POST', '/v4/Users/VerifyEmail', { token: await mailedLinkToken('link-first@example.com') });
    assert.equal(linked.statusCode, 200, linked.body);
    const id = linked.json().data.customerRegistrationId as string;
    assert.equal((await send('PUT', `/v4/Users/${id}/`, { verified: false })).json().data.verified, false);
    const spent = await send('POST', '/v4/Users/Verification', { email: 'link-first@example.com', verificationCode: code });
    assert.equal(spent.json().message.code, 'UsersOrchestrator_E400_15');
  });

  it('a new code ends the earlier one; a code expires with the injected clock', async () => {
    await send('POST', '/v4/Users/VerificationCode', { email: 'renew@example.com' });
    const second = await mailedCode('renew@example.com');
    await send('POST', '/v4/Users/VerificationCode', { email: 'renew@example.com' });
    const third = await mailedCode('renew@example.com');
    if (second !== third) {
      const replaced = await send('POST', '/v4/Users/Verification', { email: 'renew@example.com', verificationCode: second });
      assert.equal(replaced.json().message.code, 'UsersOrchestrator_E400_15', 'a new code ends the earlier one');
    }
    nowMs += 86_400_000 + 1000;
    const expired = await send('POST', '/v4/Users/Verification', { email: 'renew@example.com', verificationCode: third });
    assert.equal(expired.json().message.code, 'UsersOrchestrator_E400_15', 'expired after 24 h');
  });

  it('concurrent wrong guesses count five misses and no more; the right code is refused after them', async () => {
    await send('POST', '/v4/Users/VerificationCode', { email: 'crowd-guess@example.com' });
    const right = await mailedCode('crowd-guess@example.com');
    const wrong = Array.from({ length: 20 }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
    const answers = await Promise.all(
      wrong.map((code) => send('POST', '/v4/Users/Verification', { email: 'crowd-guess@example.com', verificationCode: code })),
    );
    assert.deepEqual(new Set(answers.map((a) => a.json().message.code)), new Set(['UsersOrchestrator_E400_15']));
    const late = await send('POST', '/v4/Users/Verification', { email: 'crowd-guess@example.com', verificationCode: right });
    assert.equal(late.json().message.code, 'UsersOrchestrator_E400_15');
    const uid = (await send('GET', '/v4/Users?email=crowd-guess@example.com')).json().data[0].customerRegistrationId as AccountUid;
    const budget = await store.transaction((tx) => tx.credentialStates.lockCodeBudget(client.tenant.id, uid));
    assert.equal(budget.misses, 5);
  });

  it('at most five codes an hour per person: the sixth is E400_00 and sends nothing; an hour later codes go out again', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await send('POST', '/v4/Users/VerificationCode', { email: 'resend@example.com' })).statusCode, 200);
    const sixth = await send('POST', '/v4/Users/VerificationCode', { email: 'resend@example.com' });
    assert.equal(sixth.statusCode, 400);
    assert.equal(sixth.json().message.code, 'UsersOrchestrator_E400_00');
    assert.equal(sixth.json().message.text, 'Invalid InputModel - Too many verification codes were sent; try again in an hour');
    const uid = (await send('GET', '/v4/Users?email=resend@example.com')).json().data[0].customerRegistrationId as string;
    const requested = (await navigaEvents(uid)).filter(([code]) => code === 'SUBSCRIBE_USER_CREATEPENDING');
    assert.equal(requested.length, 5, 'the refused request mailed nothing');
    nowMs += 3600_000;
    assert.equal((await send('POST', '/v4/Users/VerificationCode', { email: 'resend@example.com' })).statusCode, 200);
  });

  it('create with verifyEmail=true where the site policy verifies emails too: one mail (with the code), one 4003', async () => {
    const verifying = await provisionClient(core, {}, { policies: { accountOptions: { verifyEmail: true } } });
    const created = await send('POST', '/v4/Users', { email: 'policy-mail@example.com', password: PASSWORD, verifyEmail: true }, verifying);
    assert.equal(created.statusCode, 200, created.body);
    const code = await mailedCode('policy-mail@example.com', verifying);
    const mails = await createDevMailbox(store.db).list({ tenantId: verifying.tenant.id, recipient: 'policy-mail@example.com' });
    assert.equal(mails.length, 1, 'one verification mail');
    const verified = await send('POST', '/v4/Users/Verification', { email: 'policy-mail@example.com', verificationCode: code }, verifying);
    assert.equal(verified.statusCode, 200, verified.body);
    assert.deepEqual(await navigaEvents(verified.json().data.customerRegistrationId, verifying), [
      ['SUBSCRIBE_USER_CREATEPENDING', 4003, 'account.email_verification_requested'],
      ['SUBSCRIBE_USER_CREATE', 4002, 'account.email_verified'],
    ]);
  });

  it('create with verifyEmail=true mails a code (4003) that completes the user (4002); change email mails one for the new address', async () => {
    const created = await send('POST', '/v4/Users', { email: 'pending@example.com', password: PASSWORD, verifyEmail: true });
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.json().data, null);
    const code = await mailedCode('pending@example.com');
    const verified = await send('POST', '/v4/Users/Verification', { email: 'pending@example.com', verificationCode: code });
    assert.equal(verified.statusCode, 200, verified.body);
    const id = verified.json().data.customerRegistrationId as string;
    assert.deepEqual(await navigaEvents(id), [
      ['SUBSCRIBE_USER_CREATEPENDING', 4003, 'account.email_verification_requested'],
      ['SUBSCRIBE_USER_CREATE', 4002, 'account.email_verified'],
    ]);

    const changed = await send('PATCH', `/v4/Users/${id}/Email`, { email: 'moved@example.com' });
    assert.equal(changed.json().data.verified, false);
    const newCode = await mailedCode('moved@example.com');
    const reverified = await send('POST', '/v4/Users/Verification', { email: 'moved@example.com', verificationCode: newCode });
    assert.equal(reverified.statusCode, 200, reverified.body);
    assert.equal((await send('GET', `/v4/Users/${id}`)).json().data[0].verified, true);
  });
});

describe('naviga authentication with a Roster token (the one sessions service)', () => {
  /** A Gigya-style web session opened by the core login every door shares. */
  async function sessionFor(email: string, seconds: number, password = PASSWORD) {
    const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' as const } };
    const outcome = await core.credentials.login(ctx, client.site, { loginId: email, password }, { session: { kind: 'web', expiration: seconds } });
    assert.equal(outcome.kind, 'ok');
    return (outcome as { session: { token: string } }).session.token;
  }

  it('a live session token authenticates (S200_06, 4006) and reads the user (Get By Token); expired or revoked → E400_03 and no user', async () => {
    const id = (await send('POST', '/v4/Users', { email: 'token@example.com', password: PASSWORD })).json().data.customerRegistrationId as string;
    const token = await sessionFor('token@example.com', 3600);

    const auth = await send('POST', '/v4/Users/Authentication', { Token: token });
    assert.equal(auth.statusCode, 200, auth.body);
    assert.equal(auth.json().message.code, 'UsersOrchestrator_S200_06');
    assert.equal(auth.json().data.customerRegistrationId, id);
    const read = await send('GET', `/v4/Users?token=${encodeURIComponent(token)}`);
    assert.deepEqual(
      read.json().data.map((u: { customerRegistrationId: string }) => u.customerRegistrationId),
      [id],
    );
    assert.deepEqual((await navigaEvents(id)).at(-1), ['SUBSCRIBE_USER_LOGIN', 4006, 'account.logged_in']);

    const unknown = await send('POST', '/v4/Users/Authentication', { token: 'st2.unknown' });
    assert.deepEqual(unknown.json(), {
      message: { code: 'UsersOrchestrator_E400_03', text: 'The token is invalid or expired.', type: 'Error' },
      data: null,
      meta: null,
    });

    nowMs += 3601_000;
    assert.equal((await send('POST', '/v4/Users/Authentication', { token })).json().message.code, 'UsersOrchestrator_E400_03', 'expired');
    assert.deepEqual((await send('GET', `/v4/Users?token=${encodeURIComponent(token)}`)).json().data, []);

    const second = await sessionFor('token@example.com', 3600);
    assert.equal((await send('POST', '/v4/Users/Authentication', { token: second })).statusCode, 200);
    // A password change anywhere ends every session: the token is revoked.
    await send('PATCH', `/v4/Users/${id}/Password`, { password: 'Token-Pass-2' });
    assert.equal((await send('POST', '/v4/Users/Authentication', { token: second })).json().message.code, 'UsersOrchestrator_E400_03', 'revoked');
    const third = await sessionFor('token@example.com', 3600, 'Token-Pass-2');
    assert.equal((await send('POST', '/v4/Users/Authentication', { token: third })).statusCode, 200);
    assert.ok(await core.credentials.sessions.revoke({ tenantId: client.tenant.id }, third));
    assert.equal((await send('POST', '/v4/Users/Authentication', { token: third })).json().message.code, 'UsersOrchestrator_E400_03', 'logged out');
  });

  it('a token of another tenant, or of another site of the tenant that the site does not accept, does not open; a token with a login name is an invalid input', async () => {
    const other = await provisionClient(core);
    await send('POST', '/v4/Users', { email: 'tenant-token@example.com', password: PASSWORD });
    const token = await sessionFor('tenant-token@example.com', 3600);
    assert.equal((await send('POST', '/v4/Users/Authentication', { token }, other)).json().message.code, 'UsersOrchestrator_E400_03');

    const { site: otherSite } = await core.sites.ensure(client.tenant.id, { name: `other-site-${Date.now()}` });
    const ctx = { tenantId: client.tenant.id, siteId: otherSite.id, origin: { facade: 'cli' as const } };
    const elsewhere = await core.credentials.login(
      ctx,
      otherSite,
      { loginId: 'tenant-token@example.com', password: PASSWORD },
      { session: { kind: 'web', expiration: 3600 } },
    );
    assert.equal(elsewhere.kind, 'ok');
    const foreign = (elsewhere as { session: { token: string } }).session.token;
    assert.equal((await send('POST', '/v4/Users/Authentication', { token: foreign })).json().message.code, 'UsersOrchestrator_E400_03');
    assert.deepEqual((await send('GET', `/v4/Users?token=${encodeURIComponent(foreign)}`)).json().data, []);
    const mixed = await send('POST', '/v4/Users/Authentication', { token, loginName: 'tenant-token@example.com' });
    assert.equal(mixed.json().message.code, 'UsersOrchestrator_E400_00');
    // With a password that would log in, the token is still not ignored: the request is refused.
    const both = await send('POST', '/v4/Users/Authentication', { token, loginName: 'tenant-token@example.com', password: PASSWORD });
    assert.equal(both.json().message.code, 'UsersOrchestrator_E400_00');
    assert.equal(
      (await send('POST', '/v4/Users/Authentication', { token: 'st2.unknown', password: PASSWORD })).json().message.code,
      'UsersOrchestrator_E400_00',
    );
  });
});
