import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { buildApp } from '../../../src/app.js';
import { type Core, createCore } from '../../../src/core/index.js';
import type { Site } from '../../../src/core/types.js';
import { createDevMailbox } from '../../../src/messaging/mailbox.js';
import { argon2Hasher } from '../../../src/security/password-hasher.js';
import type { OpenedStore } from '../../../src/store/index.js';
import { cryptoIds } from '../../../src/system.js';
import { testConfig } from '../../helpers/app.js';
import { runUntil, startReceiver, testWorker, workerSettings } from '../../helpers/events.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';
import { openTestStore, testSecretBox } from '../../helpers/store.js';

/** A clock the test moves: lockout timings without waiting. */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
let store: OpenedStore;
let core: Core;
let app: FastifyInstance;

before(async () => {
  store = await openTestStore();
  core = createCore({ store, clock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
  app = await buildApp({ config: testConfig(), core, store });
});
after(async () => {
  await app.close();
  await store.close();
});

const PASSWORD = 'Correct-Horse-9';

async function fixture(policies: Record<string, unknown> = {}, extra: Site['settings'] = {}): Promise<GigyaFixture> {
  return gigyaFixture(core, { settings: { policies: policies as never, ...extra } });
}

async function register(f: GigyaFixture, email: string, password = PASSWORD) {
  const init = await call(app, 'accounts.initRegistration', { apiKey: f.apiKey });
  return call(app, 'accounts.register', { apiKey: f.apiKey, regToken: init.body.regToken as string, email, password, finalizeRegistration: 'true' });
}

const login = (f: GigyaFixture, loginID: string, password: string, extra: Record<string, string> = {}) =>
  call(app, 'accounts.login', { apiKey: f.apiKey, loginID, password, ...extra });

describe('lockout (security.accountLockout, injected clock)', () => {
  it('locks after the threshold for lockoutTimeSec, even for the right password; 403120', async () => {
    const f = await fixture({ security: { accountLockout: { failedLoginThreshold: 3, lockoutTimeSec: 300, failedLoginResetSec: 0 } } });
    const uid = (await register(f, 'lock@example.com')).body.UID as string;
    for (let i = 0; i < 3; i++) assert.equal((await login(f, 'lock@example.com', 'wrong-password')).body.errorCode, 403042);
    const locked = await login(f, 'lock@example.com', PASSWORD);
    assert.equal(locked.body.errorCode, 403120, locked.raw);
    assert.equal(locked.body.errorMessage, 'Account temporarily locked out');
    nowMs += 299_000;
    assert.equal((await login(f, 'lock@example.com', PASSWORD)).body.errorCode, 403120);
    nowMs += 2_000;
    const ok = await login(f, 'lock@example.com', PASSWORD);
    assert.equal(ok.body.errorCode, 0, ok.raw);
    const types = (await store.outbox.listForAccount(f.tenant.id, uid as never)).map((e) => e.event.type);
    assert.equal(types.filter((t) => t === 'account.login_failed').length, 5);
    assert.equal(types.filter((t) => t === 'account.locked_out').length, 1);
  });

  it('failedLoginResetSec: failures older than the window start a new count', async () => {
    const f = await fixture({ security: { accountLockout: { failedLoginThreshold: 3, lockoutTimeSec: 300, failedLoginResetSec: 60 } } });
    await register(f, 'window@example.com');
    for (let i = 0; i < 2; i++) await login(f, 'window@example.com', 'wrong-password');
    nowMs += 61_000;
    for (let i = 0; i < 2; i++) await login(f, 'window@example.com', 'wrong-password');
    assert.equal((await login(f, 'window@example.com', PASSWORD)).body.errorCode, 0);
  });

  it('lockout is counted per person, and isLockedOut=false from a server unlocks', async () => {
    const f = await fixture({ security: { accountLockout: { failedLoginThreshold: 2, lockoutTimeSec: 600 } } });
    const uid = (await register(f, 'unlock@example.com')).body.UID as string;
    for (let i = 0; i < 2; i++) await login(f, 'unlock@example.com', 'wrong-password');
    assert.equal((await login(f, 'unlock@example.com', PASSWORD)).body.errorCode, 403120);
    const info = await call(app, 'accounts.getAccountInfo', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, UID: uid });
    assert.equal(info.body.errorCode, 0);
    const r = await call(app, 'accounts.setAccountInfo', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, UID: uid, isLockedOut: 'false' });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal((await login(f, 'unlock@example.com', PASSWORD)).body.errorCode, 0);
  });
});

describe('password policy, change and reset', () => {
  it('minLength and minCharGroups refuse weak passwords with 400009', async () => {
    const f = await fixture({ security: { passwordComplexity: { minLength: 8, minCharGroups: 3 } } });
    const weak = await register(f, 'p1@example.com', 'alllowercase');
    assert.equal(weak.body.errorCode, 400009, weak.raw);
    assert.match(weak.body.errorDetails as string, /at least 3/);
    assert.equal((await register(f, 'p2@example.com', 'Ab1')).body.errorCode, 400009);
    assert.equal((await register(f, 'p3@example.com', 'Abcdefg1')).body.errorCode, 0);
  });

  it('setAccountInfo changes the password with the old one; history gives 401030; other sessions end', async () => {
    const f = await fixture({ security: { passwordHistorySize: 2 } });
    await register(f, 'change@example.com');
    const a = await login(f, 'change@example.com', PASSWORD);
    const b = await login(f, 'change@example.com', PASSWORD);
    const tokenA = (a.body.sessionInfo as Record<string, string>).cookieValue as string;
    const tokenB = (b.body.sessionInfo as Record<string, string>).cookieValue as string;
    const wrongOld = await call(app, 'accounts.setAccountInfo', { apiKey: f.apiKey, login_token: tokenA, password: 'not-it-1', newPassword: 'New-Pass-1' });
    assert.equal(wrongOld.body.errorCode, 403042, wrongOld.raw);
    const same = await call(app, 'accounts.setAccountInfo', { apiKey: f.apiKey, login_token: tokenA, password: PASSWORD, newPassword: PASSWORD });
    assert.equal(same.body.errorCode, 401030, same.raw);
    const ok = await call(app, 'accounts.setAccountInfo', { apiKey: f.apiKey, login_token: tokenA, password: PASSWORD, newPassword: 'New-Pass-1' });
    assert.equal(ok.body.errorCode, 0, ok.raw);
    assert.equal((await call(app, 'accounts.getAccountInfo', { apiKey: f.apiKey, login_token: tokenA })).body.errorCode, 0, 'the caller keeps its session');
    assert.equal((await call(app, 'accounts.getAccountInfo', { apiKey: f.apiKey, login_token: tokenB })).body.errorCode, 403005, 'other sessions end');
    assert.equal((await login(f, 'change@example.com', PASSWORD)).body.errorCode, 403042);
    assert.equal((await login(f, 'change@example.com', 'New-Pass-1')).body.errorCode, 0);
    // Back to the first password: still within the last two.
    const back = await call(app, 'accounts.setAccountInfo', { apiKey: f.apiKey, login_token: tokenA, password: 'New-Pass-1', newPassword: PASSWORD });
    assert.equal(back.body.errorCode, 401030, back.raw);
  });

  it('resetPassword mails a single-use pwrt link through the worker and dev mailbox; the token sets a new password', async () => {
    const f = await fixture({ passwordReset: { resetURL: 'https://shop.example/reset' } });
    const uid = (await register(f, 'reset@example.com')).body.UID as string;
    const unknown = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, loginID: 'nobody@example.com' });
    assert.equal(unknown.body.errorCode, 403047, unknown.raw);
    const anonymousToken = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, loginID: 'reset@example.com', sendEmail: 'false' });
    assert.equal(anonymousToken.body.errorCode, 403007, anonymousToken.raw);
    const start = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, loginID: 'reset@example.com' });
    assert.equal(start.body.errorCode, 0, start.raw);
    assert.equal(start.body.passwordResetToken, undefined);

    const worker = testWorker(store, core, workerSettings({ tenants: [f.tenant.id] }));
    const mailbox = createDevMailbox(store.db);
    await runUntil(worker, async () => (await mailbox.list({ tenantId: f.tenant.id })).length > 0);
    await worker.stop();
    const [mail] = await mailbox.list({ tenantId: f.tenant.id });
    assert.equal(mail?.recipient, 'reset@example.com');
    const link = /https:\/\/shop\.example\/reset\?pwrt=(\S+)/.exec(mail?.text ?? '');
    assert.ok(link, mail?.text ?? '');
    const token = decodeURIComponent(link[1] as string);
    // The webhook-visible event never carries the token.
    const events = await store.outbox.listForAccount(f.tenant.id, uid as never);
    const requested = events.find((e) => e.event.type === 'account.password_reset_requested');
    assert.ok(requested && !JSON.stringify(requested.event).includes(token));

    const weak = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, passwordResetToken: token, newPassword: 'x' });
    assert.equal(weak.body.errorCode, 400009, weak.raw);
    const done = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, passwordResetToken: token, newPassword: 'Reset-Pass-2' });
    assert.equal(done.body.errorCode, 0, done.raw);
    assert.equal(done.body.UID, uid);
    const again = await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, passwordResetToken: token, newPassword: 'Reset-Pass-3' });
    assert.equal(again.body.errorCode, 403025, again.raw);
    assert.equal((await login(f, 'reset@example.com', 'Reset-Pass-2')).body.errorCode, 0);
  });

  it('a reset token expires after passwordReset.tokenExpiration; only the latest is valid', async () => {
    const f = await fixture({ passwordReset: { tokenExpiration: 600 } });
    await register(f, 'expire@example.com');
    const server = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, loginID: 'expire@example.com', sendEmail: 'false' };
    const first = (await call(app, 'accounts.resetPassword', server)).body.passwordResetToken as string;
    const second = (await call(app, 'accounts.resetPassword', server)).body.passwordResetToken as string;
    assert.equal(
      (await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, passwordResetToken: first, newPassword: 'Other-Pass-1' })).body.errorCode,
      403025,
    );
    nowMs += 601_000;
    assert.equal(
      (await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, passwordResetToken: second, newPassword: 'Other-Pass-1' })).body.errorCode,
      403025,
    );
  });
});

describe('email verification', () => {
  it('verifyEmail on: register answers 206002; the mailed link verifies; then login succeeds', async () => {
    const f = await fixture({ accountOptions: { verifyEmail: true, allowUnverifiedLogin: false } });
    const r = await register(f, 'verify@example.com');
    assert.equal(r.body.errorCode, 206002, r.raw);
    assert.deepEqual(r.body.unverifiedEmails, ['verify@example.com']);
    assert.equal(typeof r.body.regToken, 'string');
    assert.equal((await login(f, 'verify@example.com', PASSWORD)).body.errorCode, 206002);
    const jwt = await call(app, 'accounts.getJWT', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, targetUID: r.body.UID as string });
    assert.equal(jwt.body.errorCode, 403013, jwt.raw);

    const worker = testWorker(store, core, workerSettings({ tenants: [f.tenant.id] }));
    const mailbox = createDevMailbox(store.db);
    await runUntil(worker, async () => (await mailbox.list({ tenantId: f.tenant.id })).length > 0);
    await worker.stop();
    const [mail] = await mailbox.list({ tenantId: f.tenant.id });
    const link = /https:\/\/roster\.test(\/accounts\.verifyEmail\?\S+)/.exec(mail?.text ?? '');
    assert.ok(link, mail?.text ?? '');
    const page = await app.inject({ method: 'GET', url: link[1] as string });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /Email verified/);
    assert.equal((await app.inject({ method: 'GET', url: link[1] as string })).statusCode, 404, 'single use');

    const ok = await login(f, 'verify@example.com', PASSWORD);
    assert.equal(ok.body.errorCode, 0, ok.raw);
    assert.equal(ok.body.isVerified, true);
    assert.equal(typeof ok.body.verifiedTimestamp, 'number');
    const types = (await store.outbox.listForAccount(f.tenant.id, r.body.UID as never)).map((e) => e.event.type);
    assert.ok(types.includes('account.email_verified'));
  });
});

describe('JWT signing keys', () => {
  it('rotation: the retired key stays in the JWKS so earlier tokens verify; new tokens use the new kid', async () => {
    const f = await fixture();
    const uid = (await register(f, 'jwt@example.com')).body.UID as string;
    const server = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, targetUID: uid };
    const before = (await call(app, 'accounts.getJWT', server)).body.id_token as string;
    await core.signingKeys.rotate(f.site);
    const afterToken = (await call(app, 'accounts.getJWT', server)).body.id_token as string;
    assert.notEqual(decodeProtectedHeader(before).kid, decodeProtectedHeader(afterToken).kid);
    const keys = await call(app, 'accounts.getJWTPublicKey', { apiKey: f.apiKey, V2: 'true' });
    const jwks = createLocalJWKSet({ keys: keys.body.keys as never });
    for (const token of [before, afterToken]) {
      const { payload } = await jwtVerify(token, jwks, { issuer: `https://fidm.gigya.com/jwt/${f.apiKey}/`, currentDate: new Date(nowMs) });
      assert.equal(payload.sub, uid);
    }
    for (const key of keys.body.keys as Array<Record<string, unknown>>) assert.equal(key.alg, 'RS256');
    const single = await call(app, 'accounts.getJWTPublicKey', { apiKey: f.apiKey });
    assert.equal(single.body.kid, decodeProtectedHeader(afterToken).kid);
    // The private key is sealed at rest.
    const rows = await store.db.selectFrom('signing_keys').select(['private_sealed']).where('tenant_id', '=', f.tenant.id).execute();
    for (const row of rows) assert.ok(!row.private_sealed.includes('"d"'));
  });
});

describe('credential events on the webhook sinks', () => {
  it('gigya format: accountRegistered, accountLoggedIn, accountLockedOut, accountUpdated; roster format: every credential event, no tokens', async () => {
    const f = await fixture({ security: { accountLockout: { failedLoginThreshold: 2, lockoutTimeSec: 60 } } });
    const gigyaReceiver = await startReceiver();
    const rosterReceiver = await startReceiver();
    const secret = Buffer.from('gigya-hook-secret').toString('base64');
    await core.webhooks.set(f.tenant.id, { name: 'sap', url: gigyaReceiver.url, eventTypes: ['*'], format: 'gigya', secret });
    await core.webhooks.set(f.tenant.id, { name: 'crm', url: rosterReceiver.url, eventTypes: ['*'], format: 'roster', secret: 'whsec' });
    const uid = (await register(f, 'events@example.com')).body.UID as string;
    const session = (await login(f, 'events@example.com', PASSWORD)).body.sessionInfo as Record<string, string>;
    await call(app, 'accounts.setAccountInfo', {
      apiKey: f.apiKey,
      login_token: session.cookieValue as string,
      password: PASSWORD,
      newPassword: 'Next-Pass-2',
    });
    await call(app, 'accounts.resetPassword', { apiKey: f.apiKey, loginID: 'events@example.com' });
    await login(f, 'events@example.com', 'wrong-1');
    await login(f, 'events@example.com', 'wrong-2');
    await call(app, 'accounts.logout', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, UID: uid });

    const worker = testWorker(store, core, workerSettings({ tenants: [f.tenant.id] }));
    const expectedRoster = [
      'account.created',
      'account.registered',
      'account.logged_in',
      'account.password_changed',
      'account.password_reset_requested',
      'account.login_failed',
      'account.locked_out',
      'account.logged_out',
    ];
    await runUntil(worker, () => expectedRoster.every((type) => rosterReceiver.delivered().some((e) => e.type === type)));
    await runUntil(worker, () => gigyaReceiver.requests.flatMap((r) => JSON.parse(r.body).events).some((e: { type: string }) => e.type === 'accountLoggedOut'));
    await worker.stop();
    const gigyaTypes = gigyaReceiver.requests.flatMap((r) => JSON.parse(r.body).events).map((e: { type: string }) => e.type);
    assert.deepEqual(gigyaTypes, ['accountCreated', 'accountRegistered', 'accountLoggedIn', 'accountUpdated', 'accountLockedOut', 'accountLoggedOut']);
    const raw = rosterReceiver.requests.map((r) => r.body).join('\n');
    assert.ok(!raw.includes('sealedResetToken'), 'the sealed reset token never leaves through webhooks');
    assert.ok(!raw.includes(PASSWORD) && !raw.includes('Next-Pass-2'), 'no passwords');
    await gigyaReceiver.close();
    await rosterReceiver.close();
  });
});
