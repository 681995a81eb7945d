import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { applyProvisioning } from '../../../src/cli/apply.js';
import { type Core, createCore } from '../../../src/core/index.js';
import type { Site, Tenant } from '../../../src/core/types.js';
import { ALL_PERMITS } from '../../../src/facades/boostcom/permits.js';
import { argon2Hasher } from '../../../src/security/password-hasher.js';
import type { OpenedStore } from '../../../src/store/index.js';
import { cryptoIds } from '../../../src/system.js';
import { testConfig } from '../../helpers/app.js';
import { boostcom, MEMBER_SCHEMA, type TestClub } from '../../helpers/boostcom.js';
import { call } from '../../helpers/gigya.js';
import { openTestStore, testSecretBox } from '../../helpers/store.js';
import { HS_SECRET, headersFor, type NavigaClient } from '../naviga/fixtures.js';

/**
 * One person, one credential: one tenant with a Gigya site, a Naviga client and a Boostcom club
 * (the same lockout policy on each). A password set through any door logs in through every
 * door, and failures through any door count toward the one lockout.
 */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
let store: OpenedStore;
let core: Core;
let app: FastifyInstance;
let tenant: Tenant;
let apiKey: string;
let naviga: NavigaClient;
let club: TestClub;

const LOCKOUT = { failedLoginThreshold: 3, lockoutTimeSec: 600, failedLoginResetSec: 0 };
const policies = { security: { accountLockout: LOCKOUT } };

before(async () => {
  store = await openTestStore();
  core = createCore({ store, clock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
  app = await buildApp({ config: testConfig(), core, store });
  const n = `${process.pid}-${Date.now().toString(36)}`;
  const codes = { clientCode: `X${n}`, paperCode: 'PAPER', groupCode: 'GROUP' };
  await applyProvisioning(core, {
    tenants: [
      {
        name: `doors-${n}`,
        // The Naviga door accepts the session tokens of the tenant's Gigya site and Boostcom club.
        sites: [
          { name: 'naviga', naviga: { ...codes, jwt: { secret: HS_SECRET } }, settings: { policies, sessions: { acceptFrom: ['gigya', `doors-${n}`] } } },
        ],
      },
    ],
  });
  tenant = (await core.tenants.ensure({ name: `doors-${n}` })).tenant;
  naviga = { tenant, site: await core.sites.resolve(tenant.id, 'naviga'), codes };
  const { site: gigyaSite } = await core.sites.ensure(tenant.id, {
    name: 'gigya',
    gigyaSecret: Buffer.from(`secret-${n}`).toString('base64'),
    settings: { policies },
  });
  await core.keys.create(tenant.id, { label: 'doors', permissions: ['*'] });
  apiKey = gigyaSite.gigyaApiKey as string;
  const slug = `doors-${n}`;
  const clubSite: Site = await core.sites.create(tenant.id, {
    name: slug,
    boostcomSlug: slug,
    settings: { boostcom: { member_schema: { ...MEMBER_SCHEMA, required: [] }, default_country: 'NO' }, policies },
  });
  const { token } = await core.clubClients.ensure(clubSite, { name: 'doors', permits: [...ALL_PERMITS] });
  club = {
    tenant,
    site: clubSite,
    slug,
    token: token as string,
    ctx: { tenantId: tenant.id, siteId: clubSite.id, origin: { facade: 'cli' } },
    client: async () => token as string,
  };
});
after(async () => {
  await app.close();
  await store.close();
});

const gigyaLogin = (loginID: string, password: string) => call(app, 'accounts.login', { apiKey, loginID, password });
const navigaSend = async (method: 'POST' | 'PATCH' | 'PUT', url: string, body: unknown) =>
  app.inject({ method, url, headers: { ...(await headersFor(naviga)), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
const navigaLogin = (loginName: string, password: string) => navigaSend('POST', '/v4/Users/Authentication', { loginName, password });
const boostcomLogin = (identifier: string, password: string) =>
  boostcom(app, club, { method: 'POST', path: '/members/oauth/token', body: { grant_type: 'password', identifier_type: 'email', identifier, password } });

describe('one person, one credential across the Gigya, Naviga and Boostcom doors', () => {
  it('a password set through Naviga logs in through Gigya and Boostcom; changed through Boostcom, it changes for every door', async () => {
    const created = await navigaSend('POST', '/v4/Users', { email: 'one@example.com', password: 'First-Pass-1' });
    assert.equal(created.statusCode, 200, created.body);
    const gigya = await gigyaLogin('one@example.com', 'First-Pass-1');
    assert.equal(gigya.body.errorCode, 0, gigya.raw);
    assert.equal(gigya.body.UID, created.json().data.customerRegistrationId, 'the same person');
    const tokens = await boostcomLogin('one@example.com', 'First-Pass-1');
    assert.equal(tokens.statusCode, 200, tokens.body);

    const changed = await boostcom(app, club, {
      method: 'PUT',
      path: '/members/me/update_password',
      headers: { authorization: `Bearer ${tokens.json().access_token}` },
      body: { current_password: 'First-Pass-1', password: 'Second-Pass-2' },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal((await gigyaLogin('one@example.com', 'First-Pass-1')).body.errorCode, 403042);
    assert.equal((await gigyaLogin('one@example.com', 'Second-Pass-2')).body.errorCode, 0);
    assert.equal((await navigaLogin('one@example.com', 'Second-Pass-2')).statusCode, 200);
    assert.equal((await navigaLogin('one@example.com', 'First-Pass-1')).json().message.code, 'UsersOrchestrator_E400_04');
  });

  it('a password registered through Gigya logs in through Naviga and Boostcom', async () => {
    const init = await call(app, 'accounts.initRegistration', { apiKey });
    const registered = await call(app, 'accounts.register', {
      apiKey,
      regToken: init.body.regToken as string,
      email: 'gigya-first@example.com',
      password: 'Gigya-Pass-1',
      finalizeRegistration: 'true',
    });
    assert.equal(registered.body.errorCode, 0, registered.raw);
    assert.equal((await navigaLogin('gigya-first@example.com', 'Gigya-Pass-1')).statusCode, 200);
    const tokens = await boostcomLogin('gigya-first@example.com', 'Gigya-Pass-1');
    assert.equal(tokens.statusCode, 200, tokens.body);
    assert.equal(tokens.json().resource_owner_id > 0, true);
  });

  it('failures through the three doors count toward one lockout; locked, every door refuses the right password in its own code; it ends by the clock', async () => {
    await navigaSend('POST', '/v4/Users', { email: 'locked@example.com', password: 'Lock-Pass-1' });
    assert.equal((await gigyaLogin('locked@example.com', 'wrong-1')).body.errorCode, 403042);
    assert.equal((await navigaLogin('locked@example.com', 'wrong-2')).json().message.code, 'UsersOrchestrator_E400_04');
    assert.equal((await boostcomLogin('locked@example.com', 'wrong-3')).statusCode, 461, 'third failure: locked');

    const gigya = await gigyaLogin('locked@example.com', 'Lock-Pass-1');
    assert.equal(gigya.body.errorCode, 403120, gigya.raw);
    const nav = await navigaLogin('locked@example.com', 'Lock-Pass-1');
    assert.deepEqual(nav.json().message, { code: 'UsersOrchestrator_E400_05', text: 'The user is locked out.', type: 'Error' });
    assert.equal((await boostcomLogin('locked@example.com', 'Lock-Pass-1')).statusCode, 461);

    nowMs += 601_000;
    assert.equal((await gigyaLogin('locked@example.com', 'Lock-Pass-1')).body.errorCode, 0);
    assert.equal((await navigaLogin('locked@example.com', 'Lock-Pass-1')).statusCode, 200);
    assert.equal((await boostcomLogin('locked@example.com', 'Lock-Pass-1')).statusCode, 200);
  });

  it('a reset through Naviga ends the Boostcom tokens and the Gigya session of the person', async () => {
    await navigaSend('POST', '/v4/Users', { email: 'revoke@example.com', password: 'Revoke-Pass-1' });
    const tokens = (await boostcomLogin('revoke@example.com', 'Revoke-Pass-1')).json();
    const gigya = await call(app, 'accounts.login', { apiKey, loginID: 'revoke@example.com', password: 'Revoke-Pass-1' });
    const loginToken = (gigya.body.sessionInfo as { cookieValue?: string; login_token?: string } | undefined)?.cookieValue;
    const me = () => boostcom(app, club, { path: '/members/me', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.ok(loginToken, gigya.raw);
    assert.ok(await core.credentials.sessions.find(naviga.site, loginToken), 'the Gigya session is live');
    assert.equal((await me()).statusCode, 200);
    const start = await navigaSend('POST', '/v4/Users/ForgotPassword', { loginName: 'revoke@example.com' });
    const finish = await navigaSend('PUT', '/v4/Users/ForgotPassword', { encryptedEventId: start.json().data.encryptedEventId, password: 'Revoke-Pass-2' });
    assert.equal(finish.statusCode, 200, finish.body);
    assert.equal((await me()).statusCode, 460);
    const refreshed = await boostcom(app, club, {
      method: 'POST',
      path: '/members/oauth/token',
      body: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
    });
    assert.equal(refreshed.statusCode, 462);
    assert.equal(await core.credentials.sessions.find(naviga.site, loginToken), undefined, 'the Gigya session ended too');
    assert.equal((await boostcomLogin('revoke@example.com', 'Revoke-Pass-2')).statusCode, 200);
  });

  it('a Gigya login_token and a Boostcom access token authenticate through Naviga until they expire or are revoked', async () => {
    await navigaSend('POST', '/v4/Users', { email: 'tokens@example.com', password: 'Token-Pass-1' });
    const gigya = await call(app, 'accounts.login', { apiKey, loginID: 'tokens@example.com', password: 'Token-Pass-1', sessionExpiration: '3600' });
    const loginToken = (gigya.body.sessionInfo as { login_token?: string } | undefined)?.login_token;
    assert.ok(loginToken, gigya.raw);
    const tokens = (await boostcomLogin('tokens@example.com', 'Token-Pass-1')).json();
    const byToken = (token: string) => navigaSend('POST', '/v4/Users/Authentication', { token });
    for (const token of [loginToken, tokens.access_token as string]) {
      const answer = await byToken(token);
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.json().data.customerRegistrationId, gigya.body.UID, 'the same person');
    }
    assert.equal((await byToken(tokens.refresh_token)).json().message.code, 'UsersOrchestrator_E400_03', 'a refresh token does not authenticate');

    // Revoked at the Boostcom door: refused at the Naviga door.
    await boostcom(app, club, { method: 'POST', path: '/members/oauth/revoke', body: { token: tokens.access_token } });
    assert.equal((await byToken(tokens.access_token)).json().message.code, 'UsersOrchestrator_E400_03');
    // The Gigya session expires by the one clock.
    nowMs += 3601_000;
    assert.equal((await byToken(loginToken)).json().message.code, 'UsersOrchestrator_E400_03');

    // Locked out through any door: a live token is refused too (E400_05) until the lock ends.
    const fresh = (await boostcomLogin('tokens@example.com', 'Token-Pass-1')).json().access_token as string;
    for (let i = 0; i < 3; i++) await gigyaLogin('tokens@example.com', 'Wrong-Pass-9');
    assert.deepEqual((await byToken(fresh)).json().message, { code: 'UsersOrchestrator_E400_05', text: 'The user is locked out.', type: 'Error' });
    nowMs += 601_000;
    assert.equal((await byToken(fresh)).statusCode, 200);
  });
});
