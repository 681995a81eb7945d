import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountUid } from '../../../src/core/index.js';
import { auth0Provider } from '../../../src/facades/naviga/providers/auth0.js';
import { gigyaProvider, gigyaSignature } from '../../../src/facades/naviga/providers/gigya.js';
import { ProviderFailure, ProviderRefusal, safeReason, type UserProvider } from '../../../src/facades/naviga/providers/provider.js';
import { CircuitBreaker, resilient } from '../../../src/facades/naviga/providers/resilience.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { fakeAuth0, fakeGigya, fakeHttpProvider, headersFor, provisionClient } from './fixtures.js';

const GIGYA = { apiKey: '3_naviga-test', userKey: 'ANavigaUserKey', secret: Buffer.from('gigya-test-secret').toString('base64') };
const signal = () => AbortSignal.timeout(5000);

describe('naviga providers over real HTTP', () => {
  let t: TestApp;
  let gigya: Awaited<ReturnType<typeof fakeGigya>>;
  let http: Awaited<ReturnType<typeof fakeHttpProvider>>;
  let auth0: Awaited<ReturnType<typeof fakeAuth0>>;

  before(async () => {
    t = await buildTestApp();
    gigya = await fakeGigya({
      ...GIGYA,
      users: [{ email: 'gigi@example.com', id: '0123456789abcdef0123456789abcdef', firstName: 'Gigi', lastName: 'Ya', verified: true }],
    });
    http = await fakeHttpProvider({ apiKey: 'ssor-key', users: [{ email: 'sso@example.com', id: 'S-42', firstName: 'Sso', lastName: 'R', verified: false }] });
    auth0 = await fakeAuth0({
      clientId: 'cid',
      clientSecret: 'csecret',
      users: [{ email: 'a0@example.com', id: 'auth0|a0', firstName: 'A', lastName: 'Zero' }],
      expiresIn: 61,
    });
  });
  after(async () => {
    await Promise.all([gigya.close(), http.close(), auth0.close()]);
    await t.close();
  });

  describe('Gigya (signed requests, gigya-wire §2.2)', () => {
    it('reproduces the spec’s Gigya-shaped signature test vector', () => {
      const sig = gigyaSignature('dGVzdC1zZWNyZXQ=', 'POST', new URL('https://accounts.us1.gigya.com/accounts.setAccountInfo'), {
        apiKey: '3_testApiKey',
        userKey: 'ABCuserKey',
        UID: 'uid 1',
        profile: '{"firstName":"Jöhn~*","email":"a+b@x.com"}',
        format: 'json',
        httpStatusCodes: 'false',
        sdk: 'python_3.6.0',
        timestamp: '1700000000',
        nonce: '1700000000000123',
      });
      assert.equal(sig, 'CQXmNwIXrVVffDNAkRdPoMHC+tw=');
    });

    it('finds a user with accounts.search + accounts.getAccountInfo against a server that verifies the signature', async () => {
      const provider = gigyaProvider({ baseUrl: gigya.url, ...GIGYA });
      const user = await provider.findByEmail('gigi@example.com', signal());
      assert.deepEqual(user, { subject: '0123456789abcdef0123456789abcdef', email: 'gigi@example.com', firstName: 'Gigi', lastName: 'Ya', verified: true });
      assert.deepEqual(gigya.signatureFailures, []);
      assert.deepEqual(
        gigya.requests.slice(-2).map((r) => r.path),
        ['/accounts.search', '/accounts.getAccountInfo'],
      );
      assert.equal(await provider.findByEmail('nobody@example.com', signal()), null);
    });

    it('fails (not "not found") when the server refuses the signature', async () => {
      const provider = gigyaProvider({ baseUrl: gigya.url, ...GIGYA, secret: Buffer.from('wrong').toString('base64') });
      await assert.rejects(provider.findByEmail('gigi@example.com', signal()), (e: unknown) => e instanceof ProviderFailure && /403003/.test(e.message));
      assert.ok(gigya.signatureFailures.length > 0, 'the fake really checks signatures');
    });

    it('serves GET /v4/Users/{id} through the Gigya provider with AUTHSYSTEM_USER_GETBYID and SUBSCRIBE_USER_GETBYID', async () => {
      const client = await provisionClient(t.core, { userProvider: 'Gigya', gigya: { baseUrl: gigya.url, ...GIGYA } });
      const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' as const } };
      const { account } = await t.core.accounts.upsertLite(ctx, { email: 'gigi@example.com', profile: { firstName: 'Old' } }, { via: 'import' });
      const response = await t.app.inject({ url: `/v4/Users/${account.uid}`, headers: await headersFor(client) });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json().data[0].firstName, 'Gigi');
      const events = await t.store.outbox.listForAccount(client.tenant.id, account.uid as AccountUid);
      const codes = events.flatMap((e) => ('eventCode' in e.event.payload ? [[e.event.payload.eventCode, e.event.payload.eventId]] : []));
      assert.deepEqual(codes, [
        ['AUTHSYSTEM_USER_GETBYID', 4601],
        ['SUBSCRIBE_USER_UPDATE', 4004],
        ['SUBSCRIBE_USER_GETBYID', 4001],
      ]);
    });

    it('answers E500_01 when the provider fails during Get By Id', async () => {
      const client = await provisionClient(t.core, { userProvider: 'Gigya', gigya: { baseUrl: gigya.url, ...GIGYA, userKey: 'unknown' } });
      const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' as const } };
      const { account } = await t.core.accounts.upsertLite(ctx, { email: 'gigi@example.com' }, { via: 'import' });
      const response = await t.app.inject({ url: `/v4/Users/${account.uid}`, headers: await headersFor(client) });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.json().message, { code: 'UsersOrchestrator_E500_01', text: 'There was a problem during the GetById workflow.', type: 'Error' });
    });
  });

  describe('HTTP JSON provider (SSOR / Firefly)', () => {
    it('reads the identity at the configured paths, with sealed headers, through the facade', async () => {
      const client = await provisionClient(t.core, {
        userProvider: 'SSOR',
        ssor: {
          urlTemplate: `${http.url}/people?mail={email}`,
          headers: { 'X-Api-Key': 'ssor-key' },
          resultPath: 'result.items',
          fields: { id: 'ident', email: 'contact.mail', firstName: 'given', lastName: 'family', verified: 'confirmed' },
        },
      });
      const stored = JSON.stringify(client.site.settings);
      const site = await t.core.sites.resolve(client.tenant.id, 'web');
      assert.ok(!JSON.stringify(site.settings).includes('ssor-key'), 'the header value is sealed at rest');
      assert.ok(stored !== undefined);
      const response = await t.app.inject({ url: '/v4/Users?email=sso@example.com', headers: await headersFor(client) });
      assert.equal(response.statusCode, 200, response.body);
      const [user] = response.json().data;
      assert.deepEqual([user.firstName, user.lastName, user.verified], ['Sso', 'R', false]);
      const none = await t.app.inject({ url: '/v4/Users?email=nobody@example.com', headers: await headersFor(client) });
      assert.deepEqual(none.json().data, []);
    });
  });

  describe('Auth0 token cache', () => {
    it('reuses the Management API token until shortly before it expires, then asks again', async () => {
      let now = Date.now();
      const provider = auth0Provider({ domain: 'acme.auth0.com', baseUrl: auth0.url, clientId: 'cid', clientSecret: 'csecret' }, () => now);
      const tokenCalls = () => auth0.requests.filter((r) => r.path === '/oauth/token').length;
      const before = tokenCalls();
      assert.equal((await provider.findByEmail('a0@example.com', signal()))?.subject, 'auth0|a0');
      assert.equal((await provider.findByEmail('a0@example.com', signal()))?.lastName, 'Zero');
      assert.equal(tokenCalls() - before, 1);
      now += 2000; // expires_in 61 s minus the 60 s margin has passed
      await provider.findByEmail('a0@example.com', signal());
      assert.equal(tokenCalls() - before, 2);
    });

    it('fails on wrong client credentials', async () => {
      const provider = auth0Provider({ domain: 'acme.auth0.com', baseUrl: auth0.url, clientId: 'cid', clientSecret: 'wrong' });
      await assert.rejects(provider.findByEmail('a0@example.com', signal()), ProviderFailure);
    });
  });

  describe('resilience', () => {
    it('retries once on a retryable failure, not on others', async () => {
      let calls = 0;
      const flaky: UserProvider = {
        name: 'SSOR',
        async findByEmail() {
          calls++;
          if (calls === 1) throw new ProviderFailure('503', true);
          return null;
        },
      };
      assert.equal(await resilient(flaky, { timeoutMs: 1000, failureThreshold: 5, openMs: 1000 }).findByEmail('x@example.com', signal()), null);
      assert.equal(calls, 2);
      let hard = 0;
      const broken: UserProvider = {
        name: 'SSOR',
        async findByEmail() {
          hard++;
          throw new ProviderFailure('400', false);
        },
      };
      await assert.rejects(resilient(broken, { timeoutMs: 1000, failureThreshold: 5, openMs: 1000 }).findByEmail('x@example.com', signal()));
      assert.equal(hard, 1);
    });

    it('opens the circuit after consecutive failures, refuses without calling, and lets one trial through later', async () => {
      let now = 0;
      let calls = 0;
      let healthy = false;
      const provider: UserProvider = {
        name: 'Firefly',
        async findByEmail() {
          calls++;
          if (!healthy) throw new ProviderFailure('down', false);
          return null;
        },
      };
      const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000 }, () => now);
      const wrapped = resilient(provider, { timeoutMs: 1000, failureThreshold: 3, openMs: 10_000 }, breaker);
      for (let i = 0; i < 3; i++) await assert.rejects(wrapped.findByEmail('x@example.com', signal()));
      assert.equal(breaker.state, 'open');
      await assert.rejects(wrapped.findByEmail('x@example.com', signal()), /circuit open/);
      assert.equal(calls, 3, 'an open circuit does not call the provider');
      now += 10_001;
      healthy = true;
      assert.equal(breaker.state, 'half-open');
      assert.equal(await wrapped.findByEmail('x@example.com', signal()), null);
      assert.equal(breaker.state, 'closed');
    });

    it('writes are not retried, password checks are; reads and writes share one breaker', async () => {
      const calls = { create: 0, authenticate: 0, find: 0 };
      const provider: UserProvider = {
        name: 'Auth0',
        async findByEmail() {
          calls.find++;
          return null;
        },
        writes: {
          async create() {
            calls.create++;
            throw new ProviderFailure('503', true);
          },
          async authenticate() {
            calls.authenticate++;
            throw new ProviderFailure('503', true);
          },
          subjectFor: async () => null,
          update: async () => {},
          changePassword: async () => {},
          changeEmail: async () => 'changed' as const,
        },
      };
      const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000 }, () => 0);
      const wrapped = resilient(provider, { timeoutMs: 1000, failureThreshold: 2, openMs: 10_000 }, breaker);
      const user = { email: 'x@example.com', password: 'Pass-word-1', firstName: null, lastName: null };
      await assert.rejects(wrapped.writes?.create(user, signal()) as Promise<unknown>, /503/);
      assert.equal(calls.create, 1, 'a create whose answer was lost is not sent again');
      await assert.rejects(wrapped.writes?.authenticate('x@example.com', 'pw', null, signal()) as Promise<unknown>, /503/);
      assert.equal(calls.authenticate, 2, 'a password check is retried once');
      assert.equal(breaker.state, 'open', 'two failed calls of either kind open it');
      await assert.rejects(wrapped.findByEmail('x@example.com', signal()), /circuit open/);
      assert.equal(calls.find, 0);
      assert.equal(resilient({ name: 'SSOR', findByEmail: async () => null }, { timeoutMs: 1000, failureThreshold: 2, openMs: 1 }).writes, undefined);
    });

    it('a refusal is an answer: observed as refused, not retried, and never counted toward the breaker', async () => {
      let calls = 0;
      const seen: string[] = [];
      const provider: UserProvider = {
        name: 'Auth0',
        findByEmail: async () => null,
        writes: {
          create: async () => ({ kind: 'exists' }),
          authenticate: async () => ({ kind: 'refused' }),
          subjectFor: async () => 'auth0|x',
          async update() {
            calls++;
            throw new ProviderRefusal(safeReason('Name\n too\u0000 long'));
          },
          changePassword: async () => {},
          changeEmail: async () => 'changed' as const,
        },
      };
      const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 10_000 }, () => 0);
      const wrapped = resilient(provider, { timeoutMs: 1000, failureThreshold: 2, openMs: 10_000, observe: (_name, outcome) => seen.push(outcome) }, breaker);
      for (let i = 0; i < 5; i++) {
        await assert.rejects(
          wrapped.writes?.update('auth0|x', { firstName: 'x' }, signal()) as Promise<unknown>,
          (e: unknown) => e instanceof ProviderRefusal && e.reason === 'Name too long',
        );
      }
      assert.equal(calls, 5, 'one call each');
      assert.equal(breaker.state, 'closed');
      assert.deepEqual(seen, ['refused', 'refused', 'refused', 'refused', 'refused']);
      const long = safeReason('x'.repeat(500));
      assert.equal(Array.from(long).length, 200);
      assert.ok(long.endsWith('…'));
      assert.equal(safeReason(undefined), 'refused by the provider');
    });

    it('times out a provider that does not answer', async () => {
      const silent: UserProvider = {
        name: 'SSOR',
        findByEmail: (_email, abort) =>
          new Promise((_resolve, reject) => abort.addEventListener('abort', () => reject(new ProviderFailure('timed out', false)))),
      };
      const started = performance.now();
      await assert.rejects(resilient(silent, { timeoutMs: 100, failureThreshold: 5, openMs: 1000 }).findByEmail('x@example.com', signal()), /timed out/);
      assert.ok(performance.now() - started < 1000);
    });
  });
});
