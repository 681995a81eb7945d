import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, gigyaFixture } from '../../helpers/gigya.js';
import { headersFor, provisionClient } from './fixtures.js';

/**
 * The Gigya provider against Roster's own Gigya facade: a second Roster instance (its own store)
 * listens on loopback and answers the provider's signed accounts.search and accounts.getAccountInfo.
 */
describe('Naviga Gigya provider against a second Roster instance', () => {
  let naviga: TestApp;
  let gigya: TestApp;
  let gigyaUrl: string;
  before(async () => {
    naviga = await buildTestApp();
    gigya = await buildTestApp();
    await gigya.app.listen({ host: '127.0.0.1', port: 0 });
    gigyaUrl = `http://127.0.0.1:${(gigya.app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await gigya.close();
    await naviga.close();
  });

  it('reads the user from the other Roster through its Gigya facade and synchronises it locally', async () => {
    const f = await gigyaFixture(gigya.core);
    const imported = await call(gigya.app, 'accounts.importLiteAccount', {
      apiKey: f.apiKey,
      userKey: f.userKey,
      secret: f.secret,
      email: 'remote@example.com',
      profile: JSON.stringify({ firstName: 'Remote', lastName: 'Person' }),
    });
    assert.equal(imported.body.errorCode, 0, imported.raw);

    const client = await provisionClient(naviga.core, {
      userProvider: 'Gigya',
      gigya: { baseUrl: gigyaUrl, apiKey: f.apiKey, userKey: f.userKey, secret: f.secret },
    });
    const response = await naviga.app.inject({ url: '/v4/Users?email=REMOTE@example.com', headers: await headersFor(client) });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.meta.totalRecords, 1);
    assert.equal(body.data[0].email, 'remote@example.com');
    assert.equal(body.data[0].firstName, 'Remote');
    assert.equal(body.data[0].lastName, 'Person');

    // The provider's user now exists in the Naviga side's own store, with the provider's names.
    const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'naviga' as const } };
    const local = await naviga.core.accounts.findByIdentifier(ctx, 'email', 'remote@example.com');
    assert.equal(local?.profile.firstName, 'Remote');
    const events = (await naviga.store.outbox.listForAccount(client.tenant.id, local?.uid as never)).map((e) => e.event.type);
    assert.ok(events.includes('provider.user_read') && events.includes('account.synced'), events.join(','));

    // Unknown on both sides: an empty answer, not an error.
    const none = await naviga.app.inject({ url: '/v4/Users?email=nobody@example.com', headers: await headersFor(client) });
    assert.deepEqual([none.statusCode, none.json().meta.totalRecords], [200, 0]);
  });

  it('writes through the other Roster: create registers there, a user only it has authenticates here, names and passwords follow', async () => {
    const f = await gigyaFixture(gigya.core);
    const client = await provisionClient(naviga.core, {
      userProvider: 'Gigya',
      gigya: { baseUrl: gigyaUrl, apiKey: f.apiKey, userKey: f.userKey, secret: f.secret },
    });
    const send = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) =>
      naviga.app.inject({ method, url, headers: { ...(await headersFor(client)), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const gigyaLogin = (loginID: string, password: string) => call(gigya.app, 'accounts.login', { apiKey: f.apiKey, loginID, password });

    // Create: registered at the Gigya side (accounts.initRegistration + accounts.register), then here.
    const created = await send('POST', '/v4/Users', { email: 'both@example.com', password: 'Both-Pass-1', firstName: 'Bo', lastName: 'Th' });
    assert.equal(created.statusCode, 200, created.body);
    const remote = await gigyaLogin('both@example.com', 'Both-Pass-1');
    assert.equal(remote.body.errorCode, 0, remote.raw);
    const id = created.json().data.customerRegistrationId as string;
    const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'naviga' as const } };
    const linked = await naviga.core.accounts.get(ctx, id as never);
    assert.deepEqual(linked.externalIds, [{ kind: 'external:gigya', value: remote.body.UID }]);

    // Update and password go to the Gigya side first (accounts.setAccountInfo).
    assert.equal((await send('PUT', `/v4/Users/${id}/`, { firstName: 'Bob' })).statusCode, 200);
    const info = await call(gigya.app, 'accounts.getAccountInfo', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, UID: remote.body.UID as string });
    assert.equal((info.body.profile as { firstName: string }).firstName, 'Bob');
    assert.equal((await send('PATCH', `/v4/Users/${id}/Password`, { password: 'Both-Pass-2' })).statusCode, 200);
    assert.equal((await gigyaLogin('both@example.com', 'Both-Pass-1')).body.errorCode, 403042);
    assert.equal((await gigyaLogin('both@example.com', 'Both-Pass-2')).body.errorCode, 0);

    // A user registered only at the Gigya side authenticates through Naviga and becomes one local account.
    const init = await call(gigya.app, 'accounts.initRegistration', { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret });
    const registered = await call(gigya.app, 'accounts.register', {
      apiKey: f.apiKey,
      userKey: f.userKey,
      secret: f.secret,
      regToken: init.body.regToken as string,
      email: 'gigya-only@example.com',
      password: 'Gigya-Only-1',
      profile: JSON.stringify({ firstName: 'Gigi' }),
      finalizeRegistration: 'true',
    });
    assert.equal(registered.body.errorCode, 0, registered.raw);
    const wrong = await send('POST', '/v4/Users/Authentication', { loginName: 'gigya-only@example.com', password: 'Wrong-Pass-1' });
    assert.equal(wrong.json().message.code, 'UsersOrchestrator_E400_04');
    const auth = await send('POST', '/v4/Users/Authentication', { loginName: 'gigya-only@example.com', password: 'Gigya-Only-1' });
    assert.equal(auth.statusCode, 200, auth.body);
    assert.equal(auth.json().data.firstName, 'Gigi');
    const local = await naviga.core.accounts.findByIdentifier(ctx, 'email', 'gigya-only@example.com');
    assert.equal(local?.uid, auth.json().data.customerRegistrationId);
    assert.deepEqual(local?.externalIds, [{ kind: 'external:gigya', value: registered.body.UID }]);
  });
  it('the right password of a user pending verification at the Gigya side is pending here (E400_07), not a failed login', async () => {
    const f = await gigyaFixture(gigya.core, { settings: { policies: { accountOptions: { verifyEmail: true, allowUnverifiedLogin: false } } as never } });
    const lockout = { security: { accountLockout: { failedLoginThreshold: 1, lockoutTimeSec: 600 } } };
    const client = await provisionClient(
      naviga.core,
      { userProvider: 'Gigya', gigya: { baseUrl: gigyaUrl, apiKey: f.apiKey, userKey: f.userKey, secret: f.secret } },
      { policies: lockout },
    );
    const init = await call(gigya.app, 'accounts.initRegistration', { apiKey: f.apiKey });
    const registered = await call(gigya.app, 'accounts.register', {
      apiKey: f.apiKey,
      regToken: init.body.regToken as string,
      email: 'pending@example.com',
      password: 'Pending-Pass-1',
      finalizeRegistration: 'true',
    });
    assert.equal(registered.body.errorCode, 206002, registered.raw);
    // A person Roster has (synchronised by a read), so a failed login here would count toward the lockout.
    const read = await naviga.app.inject({ url: '/v4/Users?email=pending@example.com', headers: await headersFor(client) });
    assert.equal(read.json().meta.totalRecords, 1, read.body);

    for (let i = 0; i < 2; i++) {
      const login = await naviga.app.inject({
        method: 'POST',
        url: '/v4/Users/Authentication',
        headers: { ...(await headersFor(client)), 'content-type': 'application/json' },
        payload: JSON.stringify({ loginName: 'pending@example.com', password: 'Pending-Pass-1' }),
      });
      assert.equal(login.statusCode, 400, login.body);
      assert.equal(login.json().message.code, 'UsersOrchestrator_E400_07', 'pending, and not locked out by the attempt before');
    }
  });

  it('what the Gigya side refuses (its password rules) is E400_00 with its reason, and its breaker stays closed', async () => {
    const f = await gigyaFixture(gigya.core, { settings: { policies: { security: { passwordComplexity: { minLength: 12 } } } as never } });
    const client = await provisionClient(naviga.core, {
      userProvider: 'Gigya',
      gigya: { baseUrl: gigyaUrl, apiKey: f.apiKey, userKey: f.userKey, secret: f.secret },
    });
    const send = async (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown) =>
      naviga.app.inject({ method, url, headers: { ...(await headersFor(client)), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    const created = await send('POST', '/v4/Users', { email: 'strict@example.com', password: 'Strict-Pass-Long-1', firstName: 'Stri' });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().data.customerRegistrationId as string;
    // Six in a row: more than the five failures that would open the breaker. Roster here accepts 10 characters.
    for (let i = 0; i < 6; i++) {
      const weak = await send('PATCH', `/v4/Users/${id}/Password`, { password: 'Short-Pw-1' });
      assert.equal(weak.statusCode, 400, weak.body);
      assert.equal(weak.json().message.code, 'UsersOrchestrator_E400_00');
      assert.match(weak.json().message.text, /the user provider refused the change: Password does not meet complexity requirements$/);
    }
    const renamed = await send('PUT', `/v4/Users/${id}/`, { firstName: 'Stella' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().data.firstName, 'Stella');
  });
});
