import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountUid } from '../../../src/core/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { fakeAuth0, headersFor, type NavigaClient, type ProviderUserFixture, provisionClient } from './fixtures.js';

type Auth0Server = Awaited<ReturnType<typeof fakeAuth0>>;

/**
 * Writes with Flow.UserProvider = Auth0 over real HTTP (spec A.0: "IgnoreProvider=false →
 * executes operation through the ThirdParty system"): the provider is written first, the local
 * store follows, and the answer is what was written (no provider read after the write).
 */
describe('naviga writes orchestrated with an Auth0 provider (real HTTP)', () => {
  let t: TestApp;
  let auth0: Auth0Server;
  const credentials = { clientId: 'roster-writes', clientSecret: 'auth0-writes-secret' };
  const users: ProviderUserFixture[] = [
    { email: 'already@example.com', id: 'auth0|already', firstName: 'Al', lastName: 'Ready', password: 'Already-Pass-1' },
    { email: 'remote-only@example.com', id: 'auth0|remote', firstName: 'Remo', lastName: 'Te', password: 'Remote-Pass-1' },
    { email: 'fail-login@example.com', id: 'auth0|faillogin', password: 'Fail-Pass-1' },
    // A social twin listed first and verified: the database user (unverified) is the one whose password is checked.
    { email: 'twin@example.com', id: 'google-oauth2|twin', firstName: 'Social', verified: true, connection: 'google-oauth2' },
    { email: 'twin@example.com', id: 'auth0|twin', firstName: 'Database', verified: false, password: 'Twin-Pass-1' },
    { email: 'twin-write@example.com', id: 'google-oauth2|twinwrite', firstName: 'Social', verified: true, connection: 'google-oauth2' },
    { email: 'twin-write@example.com', id: 'auth0|twinwrite', firstName: 'Database', verified: false, password: 'Twin-Write-1' },
    { email: 'blocked@example.com', id: 'auth0|blocked', password: 'Blocked-Pass-1', blocked: 'user' },
    { email: 'attempts@example.com', id: 'auth0|attempts', password: 'Attempts-Pass-1', blocked: 'attempts' },
    // Someone signed up at Auth0 with another person's email and never verified it.
    { email: 'victim@example.com', id: 'auth0|impostor', firstName: 'Imp', verified: false, password: 'Impostor-Pass-1' },
    { email: 'owner-verified@example.com', id: 'auth0|ownerverified', firstName: 'Owen', verified: true, password: 'Owner-Pass-1' },
  ];

  before(async () => {
    t = await buildTestApp();
    auth0 = await fakeAuth0({ ...credentials, users });
  });
  after(async () => {
    await auth0.close();
    await t.close();
  });

  const withProvider = () =>
    provisionClient(t.core, { userProvider: 'Auth0', providerTimeoutMs: 5000, auth0: { domain: 'acme.auth0.com', baseUrl: auth0.url, ...credentials } });
  const send = async (client: NavigaClient, method: 'POST' | 'PUT' | 'PATCH' | 'GET', url: string, body?: unknown) =>
    t.app.inject({
      method,
      url,
      headers: { ...(await headersFor(client)), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
  const local = async (client: NavigaClient, email: string) =>
    (await send(client, 'GET', `/v4/Users?email=${encodeURIComponent(email)}&ignoreProvider=true`)).json().data[0];
  const auth0User = (email: string) => users.find((u) => u.email === email);
  const writesTo = (path: string) => auth0.requests.filter((r) => r.method !== 'GET' && r.path.startsWith(path)).length;
  /** The Naviga codes written for a person: [eventCode, eventId, provider]. */
  const navigaEvents = async (client: NavigaClient, uid: string) =>
    (await t.store.outbox.listForAccount(client.tenant.id, uid as AccountUid))
      .map((row) => row.event)
      .filter((event) => event.type === 'account.vendor_event')
      .map((event) => {
        const p = event.payload as { eventCode: string; eventId: number; provider?: string };
        return [p.eventCode, p.eventId, p.provider ?? null];
      });

  it('create: creates the user at Auth0 first, then locally, linked (4602 + 4002); the password logs in here too', async () => {
    const client = await withProvider();
    const created = await send(client, 'POST', '/v4/Users', { email: 'New@Example.com', password: 'Create-Pass-1', firstName: 'Nea', lastName: 'Ew' });
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.json().message.code, 'UsersOrchestrator_S200_03');
    assert.equal(created.json().data.firstName, 'Nea');
    assert.equal(created.json().data.state, 'Standard', 'a third-party auth tenant is Standard');
    const atAuth0 = auth0User('new@example.com');
    assert.ok(atAuth0, 'created at Auth0 with the normalised email');
    assert.equal(atAuth0.password, 'Create-Pass-1');
    assert.equal(atAuth0.firstName, 'Nea');
    const id = created.json().data.customerRegistrationId as string;
    const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, id as AccountUid);
    assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: atAuth0.id }]);
    const events = await navigaEvents(client, id);
    assert.deepEqual(events.slice(0, 2), [
      ['AUTHSYSTEM_USER_CREATE', 4602, 'Auth0'],
      ['SUBSCRIBE_USER_CREATE', 4002, null],
    ]);
    const login = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'new@example.com', password: 'Create-Pass-1' });
    assert.equal(login.statusCode, 200, login.body);
  });

  it('create: an email Auth0 already has is taken (E400_08): no local user, no password stored, no second Auth0 user; Auth0 refusing the password is E400_00', async () => {
    const client = await withProvider();
    const before = users.length;
    const taken = await send(client, 'POST', '/v4/Users', { email: 'already@example.com', password: 'Takeover-Pass-1' });
    assert.equal(taken.statusCode, 400, taken.body);
    assert.equal(taken.json().message.code, 'UsersOrchestrator_E400_08');
    assert.equal(users.length, before, 'no second Auth0 user');
    assert.equal(await local(client, 'already@example.com'), undefined, 'nothing written locally');
    const takeover = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'already@example.com', password: 'Takeover-Pass-1' });
    assert.equal(takeover.json().message.code, 'UsersOrchestrator_E400_04', "the caller's password opens nothing");
    const owner = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'already@example.com', password: 'Already-Pass-1' });
    assert.equal(owner.statusCode, 200, owner.body);

    // A password set here (ignoreProvider) for an email the provider holds verified: a provider read
    // links it but does not mark it verified, so the unproven password stays unverified.
    const unproven = await send(client, 'POST', '/v4/Users', {
      email: 'remote-only@example.com',
      password: 'Unproven-Pass-1',
      verifyEmail: true,
      ignoreProvider: true,
    });
    assert.equal(unproven.statusCode, 200, unproven.body);
    const id = (await local(client, 'remote-only@example.com')).customerRegistrationId as string;
    assert.equal((await send(client, 'GET', `/v4/Users/${id}`)).statusCode, 200);
    const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, id as AccountUid);
    assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: 'auth0|remote' }], 'linked by the read');
    assert.equal(account.isVerified, false, "the provider's verified does not vouch for a password set here");

    // Roster accepts 7 characters; this Auth0 wants 8.
    const weak = await send(client, 'POST', '/v4/Users', { email: 'weak-at-auth0@example.com', password: 'Abcdef1' });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().message.code, 'UsersOrchestrator_E400_00');
    assert.match(weak.json().message.text, /^Invalid InputModel - the user provider refused the user: PasswordStrengthError/);
    assert.equal(await local(client, 'weak-at-auth0@example.com'), undefined);
    // What Roster itself refuses never reaches Auth0.
    const calls = writesTo('/api/v2/users');
    assert.equal((await send(client, 'POST', '/v4/Users', { email: 'tiny@example.com', password: 'x' })).json().message.code, 'UsersOrchestrator_E400_00');
    const other = await withProvider();
    assert.equal((await send(other, 'POST', '/v4/Users', { email: 'new@example.com', password: 'Create-Pass-1', ignoreProvider: true })).statusCode, 200);
    assert.equal(
      (await send(other, 'POST', '/v4/Users', { email: 'new@example.com', password: 'Create-Pass-1' })).json().message.code,
      'UsersOrchestrator_E400_08',
    );
    assert.equal(writesTo('/api/v2/users') - calls, 0, 'an email taken here never reaches Auth0');
  });

  it('create: ignoreProvider=true stays local; a provider failure is E500_03 and nothing is written locally', async () => {
    const client = await withProvider();
    const calls = writesTo('/api/v2/users');
    const plain = await send(client, 'POST', '/v4/Users', { email: 'local-only@example.com', password: 'Local-Pass-1', ignoreProvider: true });
    assert.equal(plain.statusCode, 200, plain.body);
    assert.equal(writesTo('/api/v2/users'), calls, 'Auth0 not written');
    assert.equal(auth0User('local-only@example.com'), undefined);

    const failed = await send(client, 'POST', '/v4/Users', { email: 'fail-create@example.com', password: 'Fail-Pass-1' });
    assert.equal(failed.statusCode, 500);
    assert.deepEqual(failed.json(), {
      message: { code: 'UsersOrchestrator_E500_03', text: 'There was a problem during the Create workflow.', type: 'Error' },
      data: null,
      meta: null,
    });
    assert.equal(await local(client, 'fail-create@example.com'), undefined);
  });

  it('a write that happened is answered from what was written: reads failing at Auth0 after it cannot make it E500 (no read after the write)', async () => {
    const client = await withProvider();
    const lookups = () => auth0.requests.filter((r) => r.path.startsWith('/api/v2/users-by-email')).length;
    const before = lookups();
    auth0.control.lookupsDown = true;
    try {
      const created = await send(client, 'POST', '/v4/Users', { email: 'After-Write@example.com', password: 'After-Pass-1', firstName: 'Aft' });
      assert.equal(created.statusCode, 200, created.body);
      assert.equal(created.json().message.code, 'UsersOrchestrator_S200_03');
      const atAuth0 = auth0User('after-write@example.com');
      assert.ok(atAuth0);
      assert.deepEqual(
        [created.json().data.email, created.json().data.firstName, created.json().data.verified],
        ['after-write@example.com', 'Aft', false],
        "answered with Auth0's own answer to the create",
      );
      const id = created.json().data.customerRegistrationId as AccountUid;
      const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, id);
      assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: atAuth0.id }], 'linked from the answer to the create');

      const updated = await send(client, 'PUT', `/v4/Users/${id}/`, { firstName: 'Afta' });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().data.firstName, 'Afta');
      assert.equal(atAuth0.firstName, 'Afta');
      const email = await send(client, 'PATCH', `/v4/Users/${id}/Email`, { email: 'after-written@example.com' });
      assert.equal(email.statusCode, 200, email.body);
      assert.equal(email.json().data.email, 'after-written@example.com');
      assert.equal(atAuth0.email, 'after-written@example.com');
      const lite = await send(client, 'POST', '/v4/Users', { email: 'after-lite@example.com', firstName: 'Lit' });
      assert.equal(lite.statusCode, 200, lite.body);
      assert.equal(lite.json().data.firstName, 'Lit');
      assert.equal(lookups(), before, 'no provider read after a write');
    } finally {
      auth0.control.lookupsDown = false;
    }
  });

  it('passwordless create of an email a local Lite user has: E400_08 before Auth0 is written; the Lite profile stays', async () => {
    const client = await withProvider();
    const lite = await send(client, 'POST', '/v4/Users', { email: 'lite-here@example.com', firstName: 'Owner', ignoreProvider: true });
    assert.equal(lite.statusCode, 200, lite.body);
    const calls = writesTo('/api/v2/users');
    const again = await send(client, 'POST', '/v4/Users', { email: 'Lite-Here@example.com', firstName: 'Intruder' });
    assert.equal(again.statusCode, 400, again.body);
    assert.equal(again.json().message.code, 'UsersOrchestrator_E400_08');
    assert.equal(writesTo('/api/v2/users'), calls, 'Auth0 not written');
    assert.equal(auth0User('lite-here@example.com'), undefined);
    assert.equal((await local(client, 'lite-here@example.com')).firstName, 'Owner');
  });

  it('forgot finish goes to Auth0 first (4609 + 4010) as Change Password does; an Auth0 failure is E500_01 and the event stays usable', async () => {
    const client = await withProvider();
    const id = (await send(client, 'POST', '/v4/Users', { email: 'forgot-at@example.com', password: 'Forgot-Pass-1' })).json().data
      .customerRegistrationId as string;
    const atAuth0 = auth0User('forgot-at@example.com');
    assert.ok(atAuth0);
    const eventId = (await send(client, 'POST', '/v4/Users/ForgotPassword', { loginName: 'forgot-at@example.com' })).json().data.encryptedEventId;

    const calls = writesTo('/api/v2/users');
    const weak = await send(client, 'PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'x' });
    assert.equal(weak.json().message.code, 'UsersOrchestrator_E400_00');
    assert.equal(writesTo('/api/v2/users'), calls, 'what Roster refuses never reaches Auth0');

    atAuth0.email = 'fail-forgot-at@example.com';
    const failed = await send(client, 'PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'Forgot-Pass-2' });
    assert.equal(failed.statusCode, 500, failed.body);
    assert.equal(failed.json().message.code, 'UsersOrchestrator_E500_01');
    atAuth0.email = 'forgot-at@example.com';
    const finished = await send(client, 'PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'Forgot-Pass-2' });
    assert.equal(finished.statusCode, 200, finished.body);
    assert.equal(finished.json().message.code, 'UsersOrchestrator_S200_10');
    assert.equal(atAuth0.password, 'Forgot-Pass-2');
    assert.equal((await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'forgot-at@example.com', password: 'Forgot-Pass-2' })).statusCode, 200);
    assert.deepEqual(
      (await navigaEvents(client, id)).filter(([code]) => code === 'AUTHSYSTEM_USER_CHANGEPASSWORD' || code === 'SUBSCRIBE_USER_CHANGEPASSWORD'),
      [
        ['AUTHSYSTEM_USER_CHANGEPASSWORD', 4609, 'Auth0'],
        ['SUBSCRIBE_USER_CHANGEPASSWORD', 4010, null],
      ],
    );
  });

  it('authenticate: the user of the configured connection is the one logged in and linked, not a verified social twin with the email', async () => {
    const client = await withProvider();
    const login = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'twin@example.com', password: 'Twin-Pass-1' });
    assert.equal(login.statusCode, 200, login.body);
    assert.equal(login.json().data.firstName, 'Database');
    const id = login.json().data.customerRegistrationId as AccountUid;
    const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, id);
    assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: 'auth0|twin' }]);
    assert.equal(account.isVerified, false, "the twin's verified email is not this user's");
  });

  it("what Auth0 refuses is the caller's to fix: E400_00 with its reason (E400_08 for a taken email), nothing written, and the breaker stays closed", async () => {
    const client = await withProvider();
    const id = (await send(client, 'POST', '/v4/Users', { email: 'refused@example.com', password: 'Refused-Pass-1', firstName: 'Ref' })).json().data
      .customerRegistrationId as string;
    const atAuth0 = auth0User('refused@example.com');
    assert.ok(atAuth0);

    // Nothing to change: Auth0 is not asked (it refuses an empty PATCH).
    const before = auth0.requests.length;
    const nothing = await send(client, 'PUT', `/v4/Users/${id}/`, {});
    assert.equal(nothing.statusCode, 200, nothing.body);
    assert.equal(nothing.json().message.code, 'UsersOrchestrator_S200_04');
    assert.deepEqual(auth0.requests.slice(before), [], 'no PATCH {}, not even a lookup');

    // Six refusals in a row (the breaker opens after five failures): each one a 400 in the orchestrator's envelope.
    const long = 'L'.repeat(180);
    for (let i = 0; i < 3; i++) {
      const name = await send(client, 'PUT', `/v4/Users/${id}/`, { firstName: long });
      assert.equal(name.statusCode, 400, name.body);
      assert.equal(name.json().message.code, 'UsersOrchestrator_E400_00');
      assert.match(
        name.json().message.text,
        /^Invalid InputModel - the user provider refused the change: Payload validation error: 'String is too long \(180 chars\), maximum 150'/,
      );
      // Roster accepts 7 characters; this Auth0 wants 8.
      const weak = await send(client, 'PATCH', `/v4/Users/${id}/Password`, { password: 'Abcdef1' });
      assert.equal(weak.statusCode, 400, weak.body);
      assert.deepEqual(weak.json().message.code, 'UsersOrchestrator_E400_00');
      assert.match(weak.json().message.text, /the user provider refused the change: PasswordStrengthError: Password is too weak$/);
    }
    const taken = await send(client, 'PATCH', `/v4/Users/${id}/Email`, { email: 'already@example.com' });
    assert.equal(taken.json().message.code, 'UsersOrchestrator_E400_08', 'Auth0 answers a taken email with 400, not 409');
    assert.equal(atAuth0.firstName, 'Ref');
    assert.equal(atAuth0.password, 'Refused-Pass-1');
    assert.equal(atAuth0.email, 'refused@example.com');
    const here = await local(client, 'refused@example.com');
    assert.equal(here.firstName, 'Ref', 'nothing written locally');
    const oldPassword = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'refused@example.com', password: 'Refused-Pass-1' });
    assert.equal(oldPassword.statusCode, 200, 'the password did not change here either');

    const ok = await send(client, 'PUT', `/v4/Users/${id}/`, { firstName: 'Refa' });
    assert.equal(ok.statusCode, 200, `the circuit is still closed: ${ok.body}`);
    assert.equal(atAuth0.firstName, 'Refa');
  });

  it('writes go to the user of the configured connection, not a verified social twin (found by email or linked by a read)', async () => {
    const client = await withProvider();
    const created = await send(client, 'POST', '/v4/Users', { email: 'twin-write@example.com', password: 'Twin-Local-1', ignoreProvider: true });
    assert.equal(created.statusCode, 200, created.body);
    const id = created.json().data.customerRegistrationId as string;
    const social = users.find((u) => u.id === 'google-oauth2|twinwrite');
    const database = users.find((u) => u.id === 'auth0|twinwrite');

    const updated = await send(client, 'PUT', `/v4/Users/${id}/`, { firstName: 'Dana' });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(database?.firstName, 'Dana');
    assert.equal(social?.firstName, 'Social', 'the social twin is not written');

    // A read through the provider links the verified social twin; the password still goes to the database user.
    assert.equal((await send(client, 'GET', `/v4/Users/${id}`)).statusCode, 200);
    const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, id as AccountUid);
    assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: 'google-oauth2|twinwrite' }]);
    const password = await send(client, 'PATCH', `/v4/Users/${id}/Password`, { password: 'Twin-Write-2' });
    assert.equal(password.statusCode, 200, password.body);
    assert.equal(database?.password, 'Twin-Write-2');
  });

  it('authenticate: an empty password is refused before the provider (E400_00)', async () => {
    const client = await withProvider();
    const grants = () => auth0.requests.filter((r) => r.path === '/oauth/token').length;
    const before = grants();
    for (const password of ['', null]) {
      const empty = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'remote-only@example.com', password });
      assert.equal(empty.statusCode, 400, empty.body);
      assert.equal(empty.json().message.code, 'UsersOrchestrator_E400_00');
    }
    assert.equal(grants(), before, 'Auth0 was not asked');
  });

  it('authenticate: a user Auth0 blocked (401 "user is blocked", 429 too_many_attempts) is a wrong login, counted toward the lockout but not the breaker; Auth0 gets the end user address', async () => {
    const lockout = { security: { accountLockout: { failedLoginThreshold: 2, lockoutTimeSec: 600 } } };
    const client = await provisionClient(
      t.core,
      { userProvider: 'Auth0', providerTimeoutMs: 5000, auth0: { domain: 'acme.auth0.com', baseUrl: auth0.url, ...credentials } },
      { policies: lockout },
    );
    const login = (loginName: string, password: string) =>
      headersFor(client).then((headers) =>
        t.app.inject({
          method: 'POST',
          url: '/v4/Users/Authentication',
          remoteAddress: '203.0.113.7',
          headers: { ...headers, 'content-type': 'application/json' },
          payload: JSON.stringify({ loginName, password }),
        }),
      );
    // Six in a row: more than the five failures that would open the breaker.
    for (let i = 0; i < 3; i++) {
      for (const email of ['attempts@example.com', 'blocked@example.com']) {
        const refused = await login(email, email.startsWith('attempts') ? 'Attempts-Pass-1' : 'Blocked-Pass-1');
        assert.equal(refused.statusCode, 400, refused.body);
        assert.equal(refused.json().message.code, 'UsersOrchestrator_E400_04');
      }
    }
    const grant = auth0.requests.findLast((r) => r.path === '/oauth/token');
    assert.equal(grant?.headers['auth0-forwarded-for'], '203.0.113.7');
    assert.equal((await login('remote-only@example.com', 'Remote-Pass-1')).statusCode, 200, 'the circuit is still closed');

    // A person Roster has (synchronised by a read): each of these counts toward the one lockout.
    assert.equal((await send(client, 'GET', '/v4/Users?email=blocked@example.com')).statusCode, 200);
    assert.equal((await login('blocked@example.com', 'Blocked-Pass-1')).json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal((await login('blocked@example.com', 'Blocked-Pass-1')).json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal((await login('blocked@example.com', 'Blocked-Pass-1')).json().message.code, 'UsersOrchestrator_E400_05', 'locked here');
  });

  it('authenticate: an unverified Auth0 user with the email of an account here that is not linked to it opens nothing (E400_04); a verified or linked one does', async () => {
    const client = await withProvider();
    // Accounts here with no Roster password (passwordless Lite), not linked to Auth0.
    const victim = await send(client, 'POST', '/v4/Users', { email: 'victim@example.com', firstName: 'Vic', ignoreProvider: true });
    assert.equal(victim.statusCode, 200, victim.body);
    const owner = await send(client, 'POST', '/v4/Users', { email: 'owner-verified@example.com', ignoreProvider: true });
    const victimId = victim.json().data.customerRegistrationId as AccountUid;

    const takeover = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'victim@example.com', password: 'Impostor-Pass-1' });
    assert.equal(takeover.statusCode, 400, takeover.body);
    assert.equal(takeover.json().message.code, 'UsersOrchestrator_E400_04');
    const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, victimId);
    assert.deepEqual(account.externalIds, [], 'not linked to the impostor');
    assert.equal(account.profile.firstName, 'Vic', 'nothing synchronised');
    const rows = await t.store.outbox.listForAccount(client.tenant.id, victimId);
    assert.equal(rows.filter((r) => r.event.type === 'account.logged_in').length, 0);
    // An ordinary read through the provider does not link the impostor either: the link would
    // open the account to the impostor's password.
    assert.equal((await send(client, 'GET', `/v4/Users/${victimId}`)).statusCode, 200);
    const afterReadLogin = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'victim@example.com', password: 'Impostor-Pass-1' });
    assert.equal(afterReadLogin.json().message.code, 'UsersOrchestrator_E400_04', 'still opens nothing after a read');
    const afterRead = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, victimId);
    assert.deepEqual(afterRead.externalIds, [], 'the read did not link the impostor');

    const verified = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'owner-verified@example.com', password: 'Owner-Pass-1' });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().data.customerRegistrationId, owner.json().data.customerRegistrationId);
    assert.equal(verified.json().data.firstName, 'Owen');

    // Unverified but linked (the account was created by this Auth0 user's first login): it logs in again.
    const first = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'twin@example.com', password: 'Twin-Pass-1' });
    const again = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'twin@example.com', password: 'Twin-Pass-1' });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().data.customerRegistrationId, first.json().data.customerRegistrationId);
  });

  it('authenticate at the provider: wrong passwords of a person Roster has count toward the one lockout (E400_05 even with the right one)', async () => {
    const lockout = { security: { accountLockout: { failedLoginThreshold: 2, lockoutTimeSec: 600 } } };
    const client = await provisionClient(
      t.core,
      { userProvider: 'Auth0', providerTimeoutMs: 5000, auth0: { domain: 'acme.auth0.com', baseUrl: auth0.url, ...credentials } },
      { policies: lockout },
    );
    const login = (password: string) => send(client, 'POST', '/v4/Users/Authentication', { loginName: 'remote-only@example.com', password });
    assert.equal((await login('Remote-Pass-1')).statusCode, 200, 'synchronised into Roster, no password here');
    assert.equal((await login('wrong-wrong-1')).json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal((await login('wrong-wrong-2')).json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal((await login('Remote-Pass-1')).json().message.code, 'UsersOrchestrator_E400_05', 'locked by the failures at the provider');
    assert.equal((await login('wrong-wrong-3')).json().message.code, 'UsersOrchestrator_E400_05');
  });

  it('authenticate: a user only Auth0 has is authenticated there and synchronised into one local account (4605 + 4006)', async () => {
    const client = await withProvider();
    assert.equal(await local(client, 'remote-only@example.com'), undefined);
    const wrong = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'remote-only@example.com', password: 'nope-nope' });
    assert.equal(wrong.json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal(await local(client, 'remote-only@example.com'), undefined, 'a refused login synchronises nothing');

    const ok = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'Remote-Only@example.com', password: 'Remote-Pass-1' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().message.code, 'UsersOrchestrator_S200_06');
    assert.equal(ok.json().data.firstName, 'Remo');
    const synced = await local(client, 'remote-only@example.com');
    assert.equal(synced.customerRegistrationId, ok.json().data.customerRegistrationId);
    const again = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'remote-only@example.com', password: 'Remote-Pass-1' });
    assert.equal(again.json().data.customerRegistrationId, synced.customerRegistrationId, 'one core account');
    const rows = await t.store.outbox.listForAccount(client.tenant.id, synced.customerRegistrationId);
    assert.equal(rows.filter((r) => r.event.type === 'account.created').length, 1);
    assert.deepEqual((await navigaEvents(client, synced.customerRegistrationId)).slice(0, 2), [
      ['AUTHSYSTEM_USER_LOGIN', 4605, 'Auth0'],
      ['SUBSCRIBE_USER_LOGIN', 4006, null],
    ]);
    const codes = rows.map((r) => (r.event.payload as { eventCode?: string }).eventCode).filter(Boolean);
    assert.deepEqual(codes.slice(0, 4), ['AUTHSYSTEM_USER_GETBYID', 'SUBSCRIBE_USER_UPDATE', 'AUTHSYSTEM_USER_LOGIN', 'SUBSCRIBE_USER_LOGIN']);

    const down = await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'fail-login@example.com', password: 'Fail-Pass-1' });
    assert.equal(down.statusCode, 500);
    assert.equal(down.json().message.code, 'UsersOrchestrator_E500_04');
  });

  it('update, password and email go to Auth0 first (4604/4609/4610 beside 4004/4010/4011); a provider failure is E500_01 and changes nothing', async () => {
    const client = await withProvider();
    const id = (await send(client, 'POST', '/v4/Users', { email: 'change@example.com', password: 'Change-Pass-1', firstName: 'Cha' })).json().data
      .customerRegistrationId as string;
    const atAuth0 = auth0User('change@example.com');
    assert.ok(atAuth0);

    const updated = await send(client, 'PUT', `/v4/Users/${id}/`, { firstName: 'Chad', lastName: 'Nge' });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().data.firstName, 'Chad');
    assert.deepEqual([atAuth0.firstName, atAuth0.lastName], ['Chad', 'Nge']);

    const password = await send(client, 'PATCH', `/v4/Users/${id}/Password`, { password: 'Change-Pass-2' });
    assert.equal(password.statusCode, 200, password.body);
    assert.equal(atAuth0.password, 'Change-Pass-2');
    assert.equal((await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'change@example.com', password: 'Change-Pass-2' })).statusCode, 200);

    // An email only Auth0 has (another person there) is taken, as a local one is: nothing changes.
    const takenThere = await send(client, 'PATCH', `/v4/Users/${id}/Email`, { email: 'already@example.com' });
    assert.equal(takenThere.statusCode, 400, takenThere.body);
    assert.equal(takenThere.json().message.code, 'UsersOrchestrator_E400_08');
    assert.equal(atAuth0.email, 'change@example.com');
    assert.equal((await local(client, 'change@example.com'))?.customerRegistrationId, id);
    const email = await send(client, 'PATCH', `/v4/Users/${id}/Email`, { email: 'changed@example.com' });
    assert.equal(email.statusCode, 200, email.body);
    assert.equal(atAuth0.email, 'changed@example.com');
    assert.equal(email.json().data.email, 'changed@example.com');

    assert.deepEqual(
      (await navigaEvents(client, id)).filter(
        ([code]) => code !== 'SUBSCRIBE_USER_CREATE' && code !== 'AUTHSYSTEM_USER_CREATE' && code !== 'SUBSCRIBE_USER_LOGIN',
      ),
      [
        ['AUTHSYSTEM_USER_UPDATE', 4604, 'Auth0'],
        ['SUBSCRIBE_USER_UPDATE', 4004, null],
        ['AUTHSYSTEM_USER_CHANGEPASSWORD', 4609, 'Auth0'],
        ['SUBSCRIBE_USER_CHANGEPASSWORD', 4010, null],
        ['AUTHSYSTEM_USER_CHANGEEMAIL', 4610, 'Auth0'],
        ['SUBSCRIBE_USER_CHANGEEMAIL', 4011, null],
      ],
    );

    // The provider's user goes down: every write answers E500_01 and the local user stays as it was.
    atAuth0.email = 'fail-changed@example.com';
    const before = await local(client, 'changed@example.com');
    for (const [method, path, body] of [
      ['PUT', `/v4/Users/${id}/`, { firstName: 'Never' }],
      ['PATCH', `/v4/Users/${id}/Password`, { password: 'Never-Pass-3' }],
      ['PATCH', `/v4/Users/${id}/Email`, { email: 'never@example.com' }],
    ] as const) {
      const failed = await send(client, method, path, body);
      assert.equal(failed.statusCode, 500, `${method} ${path}: ${failed.body}`);
      assert.deepEqual(failed.json().message, { code: 'UsersOrchestrator_E500_01', text: 'There was a problem during the GetById workflow.', type: 'Error' });
    }
    assert.deepEqual(await local(client, 'changed@example.com'), before);
    assert.equal((await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'changed@example.com', password: 'Change-Pass-2' })).statusCode, 200);
  });

  it('twenty concurrent first logins of a provider-only user give one local account', async () => {
    const client = await withProvider();
    users.push({ email: 'crowd-login@example.com', id: 'auth0|crowdlogin', firstName: 'Cro', password: 'Crowd-Pass-1' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => send(client, 'POST', '/v4/Users/Authentication', { loginName: 'crowd-login@example.com', password: 'Crowd-Pass-1' })),
    );
    assert.ok(
      responses.every((r) => r.statusCode === 200),
      responses.find((r) => r.statusCode !== 200)?.body,
    );
    assert.equal(new Set(responses.map((r) => r.json().data.customerRegistrationId)).size, 1);
    const uid = responses[0]?.json().data.customerRegistrationId as AccountUid;
    const rows = await t.store.outbox.listForAccount(client.tenant.id, uid);
    assert.equal(rows.filter((r) => r.event.type === 'account.created').length, 1);
    assert.equal(rows.filter((r) => r.event.type === 'account.logged_in').length, 20);
  });

  it('provider writes are counted on /metrics (written, refused) by provider, like the reads', async () => {
    const metric = async (outcome: string) => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(new RegExp(`roster_naviga_provider_calls_total\\{provider="Auth0",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    };
    const client = await withProvider();
    const before = { written: await metric('written'), refused: await metric('refused') };
    await send(client, 'POST', '/v4/Users', { email: 'metered@example.com', password: 'Metered-Pass-1' });
    await send(client, 'POST', '/v4/Users/Authentication', { loginName: 'remote-only@example.com', password: 'wrong-wrong' });
    assert.equal((await metric('written')) - before.written, 1);
    assert.equal((await metric('refused')) - before.refused, 1);
  });
});
