import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture, sign } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const PASSWORD = 'Correct-Horse-9';

async function registered(f: GigyaFixture, email: string, extra: Record<string, string> = {}) {
  const init = await call(t.app, 'accounts.initRegistration', { apiKey: f.apiKey });
  assert.equal(init.body.errorCode, 0, init.raw);
  const r = await call(t.app, 'accounts.register', {
    apiKey: f.apiKey,
    regToken: init.body.regToken as string,
    email,
    password: PASSWORD,
    finalizeRegistration: 'true',
    ...extra,
  });
  return r;
}

describe('accounts.register / login / sessions', () => {
  it('register → login → getAccountInfo with login_token → getJWT → verified against getJWTPublicKey V2', async () => {
    const f = await gigyaFixture(t.core);
    const reg = await registered(f, 'Ada@Example.com', { profile: '{"firstName":"Ada"}' });
    assert.equal(reg.body.errorCode, 0, reg.raw);
    assert.equal(reg.body.newUser, true);
    assert.equal(reg.body.isRegistered, true);
    const regSession = reg.body.sessionInfo as Record<string, string>;
    assert.equal(regSession.cookieName, `glt_${f.apiKey}`);
    assert.match(regSession.cookieValue as string, /^st2\./);

    const loginReply = await call(t.app, 'accounts.login', {
      apiKey: f.apiKey,
      loginID: 'ada@example.com',
      password: PASSWORD,
      include: 'profile,data,emails,',
    });
    assert.equal(loginReply.body.errorCode, 0, loginReply.raw);
    assert.equal(loginReply.body.UID, reg.body.UID);
    assert.equal(loginReply.body.loginProvider, 'site');
    assert.equal(typeof loginReply.body.UIDSignature, 'string');
    assert.equal(typeof loginReply.body.signatureTimestamp, 'string');
    assert.deepEqual(loginReply.body.profile, { email: 'ada@example.com', firstName: 'Ada' });
    const cookieValue = (loginReply.body.sessionInfo as Record<string, string>).cookieValue as string;

    const info = await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, login_token: cookieValue });
    assert.equal(info.body.errorCode, 0, info.raw);
    assert.equal(info.body.UID, reg.body.UID);

    const jwtReply = await call(t.app, 'accounts.getJWT', { apiKey: f.apiKey, login_token: cookieValue, fields: 'firstName', expiration: '900' });
    assert.equal(jwtReply.body.errorCode, 0, jwtReply.raw);
    const keys = await call(t.app, 'accounts.getJWTPublicKey', { apiKey: f.apiKey, V2: 'true' });
    assert.equal(keys.body.errorCode, 0, keys.raw);
    const jwks = createLocalJWKSet({ keys: keys.body.keys as never });
    const { payload, protectedHeader } = await jwtVerify(jwtReply.body.id_token as string, jwks, { issuer: `https://fidm.gigya.com/jwt/${f.apiKey}/` });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, reg.body.UID);
    assert.equal(payload.firstName, 'Ada');
    assert.equal(payload.apiKey, f.apiKey);
    assert.equal((payload.exp as number) - (payload.iat as number), 900);
    assert.ok((payload.iat as number) <= Math.floor(Date.now() / 1000));

    // Events in the outbox for the registration and the login.
    const events = (await t.store.outbox.listForAccount(f.tenant.id, reg.body.UID as never)).map((e) => e.event.type);
    assert.ok(events.includes('account.created'));
    assert.ok(events.includes('account.registered'));
    assert.ok(events.includes('account.logged_in'));

    // Logout ends the session: the token no longer reads the account.
    const out = await call(t.app, 'accounts.logout', { apiKey: f.apiKey, login_token: cookieValue });
    assert.equal(out.body.errorCode, 0, out.raw);
    const again = await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, login_token: cookieValue });
    assert.equal(again.body.errorCode, 403005, again.raw);
  });

  it('a mobile session signs its calls with the Base64-decoded session secret; a wrong signature is 403003', async () => {
    const f = await gigyaFixture(t.core);
    assert.equal((await registered(f, 'mobile@example.com')).body.errorCode, 0);
    const r = await call(t.app, 'accounts.login', {
      apiKey: f.apiKey,
      loginID: 'mobile@example.com',
      password: PASSWORD,
      targetEnv: 'mobile',
      sessionExpiration: '3600',
    });
    assert.equal(r.body.errorCode, 0, r.raw);
    const session = r.body.sessionInfo as Record<string, unknown>;
    assert.equal(session.expires_in, '3600', 'expires_in is a JSON string');
    assert.match(session.sessionSecret as string, /^[A-Za-z0-9+/]+=*$/);
    const signed = sign('accounts.getAccountInfo', { apiKey: f.apiKey, oauth_token: session.sessionToken as string }, session.sessionSecret as string);
    const info = await call(t.app, 'accounts.getAccountInfo', signed);
    assert.equal(info.body.errorCode, 0, info.raw);
    assert.equal(info.body.UID, r.body.UID);
    const forged = sign(
      'accounts.getAccountInfo',
      { apiKey: f.apiKey, oauth_token: session.sessionToken as string },
      Buffer.from('not the secret').toString('base64'),
    );
    assert.equal((await call(t.app, 'accounts.getAccountInfo', forged)).body.errorCode, 403003);
    // A mobile token is not a web login_token.
    assert.equal((await call(t.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, login_token: session.sessionToken as string })).body.errorCode, 403005);
  });

  it('unknown login ID and wrong password give the same 403042; missing password is 400002', async () => {
    const f = await gigyaFixture(t.core);
    assert.equal((await registered(f, 'who@example.com')).body.errorCode, 0);
    const wrong = await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: 'who@example.com', password: 'nope-nope' });
    const unknown = await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: 'nobody@example.com', password: 'nope-nope' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.body.errorCode, 403042, r.raw);
      assert.equal(r.body.errorMessage, 'Invalid LoginID');
      assert.equal(r.body.errorDetails, 'invalid loginID or password');
    }
    assert.equal((await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: 'who@example.com' })).body.errorCode, 400002);
  });

  it('register refuses a taken email and a weak password with 400009; needs a regToken from clients', async () => {
    const f = await gigyaFixture(t.core);
    assert.equal((await registered(f, 'taken@example.com')).body.errorCode, 0);
    const dup = await registered(f, 'TAKEN@example.com');
    assert.equal(dup.body.errorCode, 400009, dup.raw);
    assert.deepEqual(dup.body.validationErrors, [{ errorCode: 400003, message: 'email already exists', fieldName: 'email' }]);
    const weak = await registered(f, 'weak@example.com', { password: 'abc' });
    assert.equal(weak.body.errorCode, 400009, weak.raw);
    assert.equal((weak.body.validationErrors as Array<{ fieldName: string }>)[0]?.fieldName, 'password');
    const noToken = await call(t.app, 'accounts.register', { apiKey: f.apiKey, email: 'x@example.com', password: PASSWORD });
    assert.equal(noToken.body.errorCode, 400002, noToken.raw);
    const badToken = await call(t.app, 'accounts.register', { apiKey: f.apiKey, email: 'x@example.com', password: PASSWORD, regToken: 'rt2.bogus' });
    assert.equal(badToken.body.errorCode, 400006, badToken.raw);
  });

  it('without finalizeRegistration: 206001 with a regToken; login is pending too; finalizeRegistration opens the session', async () => {
    const f = await gigyaFixture(t.core);
    const init = await call(t.app, 'accounts.initRegistration', { apiKey: f.apiKey });
    const r = await call(t.app, 'accounts.register', {
      apiKey: f.apiKey,
      regToken: init.body.regToken as string,
      email: 'pend@example.com',
      password: PASSWORD,
      httpStatusCodes: 'true',
    });
    assert.equal(r.body.errorCode, 206001, r.raw);
    assert.equal(r.status, 206);
    assert.equal(r.body.errorDetails, 'Registration was not finalized');
    assert.equal(r.body.regToken, init.body.regToken);
    assert.equal(typeof r.body.UID, 'string');
    const login = await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: 'pend@example.com', password: PASSWORD });
    assert.equal(login.body.errorCode, 206001, login.raw);
    assert.equal(typeof login.body.regToken, 'string');
    const fin = await call(t.app, 'accounts.finalizeRegistration', { apiKey: f.apiKey, regToken: r.body.regToken as string });
    assert.equal(fin.body.errorCode, 0, fin.raw);
    assert.equal(fin.body.isRegistered, true);
    assert.ok(fin.body.sessionInfo);
    const used = await call(t.app, 'accounts.finalizeRegistration', { apiKey: f.apiKey, regToken: r.body.regToken as string });
    assert.equal(used.body.errorCode, 400006, used.raw);
  });

  it('required schema fields missing: 206001 naming them', async () => {
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema: { profileSchema: { fields: { zip: { type: 'string', required: true } } } } } } });
    const r = await registered(f, 'req@example.com');
    assert.equal(r.body.errorCode, 206001, r.raw);
    assert.equal(r.body.errorDetails, 'Missing required fields for registration: profile.zip');
  });

  it('required fields: setAccountInfo fills them, finalizeRegistration completes; verifyLogin checks them', async () => {
    const schema = { profileSchema: { fields: { zip: { type: 'string', required: true } } } };
    const f = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
    const r = await registered(f, 'fill@example.com');
    assert.equal(r.body.errorCode, 206001, r.raw);
    const server = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret };
    const pending = await call(t.app, 'accounts.verifyLogin', { ...server, UID: r.body.UID as string });
    assert.equal(pending.body.errorCode, 206001, pending.raw);
    assert.equal(pending.body.errorDetails, 'Missing required fields for registration: profile.zip');
    const set = await call(t.app, 'accounts.setAccountInfo', { ...server, UID: r.body.UID as string, profile: '{"zip":"0150"}' });
    assert.equal(set.body.errorCode, 0, set.raw);
    const fin = await call(t.app, 'accounts.finalizeRegistration', { apiKey: f.apiKey, regToken: pending.body.regToken as string });
    assert.equal(fin.body.errorCode, 0, fin.raw);
    const cookieValue = (fin.body.sessionInfo as Record<string, string>).cookieValue as string;
    const ok = await call(t.app, 'accounts.verifyLogin', { apiKey: f.apiKey, login_token: cookieValue });
    assert.equal(ok.body.errorCode, 0, ok.raw);
    assert.equal(ok.body.UID, r.body.UID);
    // A session may not call server-only methods.
    assert.equal(
      (await call(t.app, 'accounts.search', { apiKey: f.apiKey, login_token: cookieValue, query: 'SELECT * FROM accounts' })).body.errorCode,
      403007,
    );
  });

  it('a lite account with the same email becomes full: one account, same UID', async () => {
    const f = await gigyaFixture(t.core);
    const lite = await call(t.app, 'accounts.importLiteAccount', {
      apiKey: f.apiKey,
      userKey: f.userKey,
      secret: f.secret,
      email: 'lite@example.com',
      profile: '{"lastName":"L"}',
    });
    assert.equal(lite.body.errorCode, 0, lite.raw);
    const before = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'lite@example.com');
    const r = await registered(f, 'lite@example.com', { profile: '{"firstName":"F"}' });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal(r.body.UID, before?.uid);
    assert.equal(r.body.newUser, false);
    const after = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'lite@example.com');
    assert.equal(after?.hasFullAccount, true);
    assert.equal(after?.hasLiteAccount, true);
    assert.deepEqual(after?.profile, { email: 'lite@example.com', lastName: 'L', firstName: 'F' });
    assert.equal(await t.core.accounts.count(f.ctx), 1);
  });

  it('50 concurrent registrations of one email give one account', async () => {
    const f = await gigyaFixture(t.core);
    const replies = await Promise.all(Array.from({ length: 50 }, () => registered(f, 'race@example.com')));
    const codes = replies.map((r) => r.body.errorCode);
    assert.equal(codes.filter((c) => c === 0).length, 1, JSON.stringify(codes));
    assert.equal(codes.filter((c) => c === 400009).length, 49, JSON.stringify(codes));
    assert.equal(await t.core.accounts.count(f.ctx), 1);
  });

  it('username login where the site allows it (accountOptions.loginIdentifiers); refused where it does not', async () => {
    const f = await gigyaFixture(t.core, { settings: { policies: { accountOptions: { loginIdentifiers: 'email, username' } } } });
    const r = await registered(f, 'user@example.com', { username: 'Ada_L' });
    assert.equal(r.body.errorCode, 0, r.raw);
    const byName = await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: 'ada_l', password: PASSWORD });
    assert.equal(byName.body.errorCode, 0, byName.raw);
    assert.equal(byName.body.UID, r.body.UID);
    const taken = await registered(f, 'other@example.com', { username: 'ADA_L' });
    assert.equal(taken.body.errorCode, 400009, taken.raw);
    assert.deepEqual(taken.body.validationErrors, [{ errorCode: 400003, message: 'username already exists', fieldName: 'username' }]);
    assert.equal(await t.core.accounts.count(f.ctx), 1, 'the refused registration left nothing behind');
    const odd = await registered(f, 'odd@example.com', { username: 'has space' });
    assert.equal(odd.body.errorCode, 400009, odd.raw);
    assert.equal((odd.body.validationErrors as Array<{ fieldName: string }>)[0]?.fieldName, 'username');
    const plain = await gigyaFixture(t.core);
    assert.equal((await registered(plain, 'u2@example.com', { username: 'someone' })).body.errorCode, 400006);
  });

  it('isAvailableLoginID', async () => {
    const f = await gigyaFixture(t.core);
    assert.equal((await registered(f, 'avail@example.com')).body.errorCode, 0);
    assert.equal((await call(t.app, 'accounts.isAvailableLoginID', { apiKey: f.apiKey, loginID: 'AVAIL@example.com' })).body.isAvailable, false);
    assert.equal((await call(t.app, 'accounts.isAvailableLoginID', { apiKey: f.apiKey, loginID: 'free@example.com' })).body.isAvailable, true);
  });

  it('socialize.getIDs answers gcid, ucid and refreshTime (ms) to an anonymous call', async () => {
    const f = await gigyaFixture(t.core);
    const r = await call(t.app, 'socialize.getIDs', { apiKey: f.apiKey, sdk: 'Android_7.0.0', targetEnv: 'mobile' });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal(typeof r.body.gcid, 'string');
    assert.equal(typeof r.body.ucid, 'string');
    assert.ok((r.body.refreshTime as number) > Date.now());
  });
});
