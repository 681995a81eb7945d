import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountUid } from '../../../src/core/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { fakeAuth0, headersFor, type NavigaClient, provisionClient } from './fixtures.js';

type Auth0Server = Awaited<ReturnType<typeof fakeAuth0>>;

describe('naviga GET /v4/Users orchestration (Auth0 provider over real HTTP)', () => {
  let t: TestApp;
  let auth0: Auth0Server;
  const credentials = { clientId: 'roster-client', clientSecret: 'auth0-client-secret' };

  before(async () => {
    t = await buildTestApp(process.env.NAVIGA_DEBUG ? { logLevel: 'error' } : {});
    auth0 = await fakeAuth0({
      ...credentials,
      users: [
        { email: 'found@example.com', id: 'auth0|found', firstName: 'Prova', lastName: 'Ider', verified: true },
        { email: 'fresh@example.com', id: 'auth0|fresh', firstName: 'Fresh', lastName: 'User', verified: true },
        { email: 'crowd@example.com', id: 'auth0|crowd', firstName: 'Crowd', lastName: 'Fifty', verified: true },
        { email: 'fail@example.com', id: 'auth0|fail' },
        { email: 'slow@example.com', id: 'auth0|slow' },
      ],
    });
  });
  after(async () => {
    await auth0.close();
    await t.close();
  });

  // Generous by default: the fake provider shares this process's event loop with PGlite on a busy machine.
  const withProvider = (providerTimeoutMs = 5000) =>
    provisionClient(t.core, { userProvider: 'Auth0', providerTimeoutMs, auth0: { domain: 'acme.auth0.com', baseUrl: auth0.url, ...credentials } });
  // A provider block without userProvider is not a valid Flow.UserProvider: case 1.
  const withoutProvider = () => provisionClient(t.core, { auth0: { domain: 'acme.auth0.com', baseUrl: auth0.url, ...credentials } });

  async function seedLocal(client: NavigaClient) {
    const ctx = { tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' as const } };
    for (const email of ['found@example.com', 'missing@example.com', 'fail@example.com', 'slow@example.com']) {
      await t.core.accounts.upsertLite(ctx, { email, profile: { firstName: 'Local', lastName: 'Store', city: 'Oslo' } }, { via: 'import' });
    }
  }

  const get = async (client: NavigaClient, query: string) => t.app.inject({ method: 'GET', url: `/v4/Users?${query}`, headers: await headersFor(client) });
  const providerCalls = (email: string) =>
    auth0.requests.filter((r) => r.path.startsWith('/api/v2/users-by-email') && r.path.includes(encodeURIComponent(email))).length;
  const eventsOf = async (client: NavigaClient, uid: string) =>
    (await t.store.outbox.listForAccount(client.tenant.id, uid as AccountUid)).map((r) => ({
      type: r.event.type,
      code: 'eventCode' in r.event.payload ? r.event.payload.eventCode : undefined,
      id: 'eventId' in r.event.payload ? r.event.payload.eventId : undefined,
      sourceSystem: r.origin.sourceSystem,
    }));

  for (const [name, provision, query] of [
    ['case 1: no valid provider configured', withoutProvider, ''],
    ['case 2: valid provider, ignoreProvider=true', withProvider, '&ignoreProvider=TRUE'],
  ] as const) {
    describe(name, () => {
      for (const email of ['found@example.com', 'missing@example.com', 'fail@example.com', 'slow@example.com']) {
        it(`reads ${email} from the local store only and never calls the provider`, async () => {
          const client = await provision();
          await seedLocal(client);
          const before = providerCalls(email);
          const response = await get(client, `email=${encodeURIComponent(email)}${query}`);
          assert.equal(response.statusCode, 200, response.body);
          const body = response.json();
          assert.deepEqual(body.message, { code: 'UsersOrchestrator_S200_02', text: 'Get completed.', type: 'Success' });
          assert.equal(body.data.length, 1);
          assert.equal(body.data[0].firstName, 'Local');
          assert.equal(body.data[0].email, email);
          assert.deepEqual(body.meta, { totalRecords: 1 });
          assert.equal(providerCalls(email), before);
          const events = await eventsOf(client, body.data[0].customerRegistrationId);
          assert.deepEqual(
            events.filter((e) => e.code).map((e) => [e.code, e.id, e.sourceSystem]),
            [['SUBSCRIBE_USER_GET', 4000, 'test-suite']],
          );
        });
      }

      it('answers 200 with an empty list for an email nobody has', async () => {
        const client = await provision();
        const response = await get(client, 'email=nobody@example.com' + query);
        assert.equal(response.statusCode, 200);
        assert.deepEqual(response.json().data, []);
        assert.deepEqual(response.json().meta, { totalRecords: 0 });
      });
    });
  }

  describe('case 3: valid provider, ignoreProvider=false', () => {
    it('found: combines the provider identity with the local record and synchronises the stale local names', async () => {
      const client = await withProvider();
      await seedLocal(client);
      const response = await get(client, 'Email=FOUND@Example.com&IgnoreProvider=false');
      assert.equal(response.statusCode, 200, response.body);
      const [user] = response.json().data;
      assert.equal(user.firstName, 'Prova');
      assert.equal(user.lastName, 'Ider');
      assert.equal(user.verified, true);
      assert.equal(user.state, 'Standard');
      assert.equal(user.metadata.city, 'Oslo', 'the rest comes from the local store');
      const account = await t.core.accounts.get({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }, user.customerRegistrationId);
      assert.equal(account.profile.firstName, 'Prova');
      assert.equal(account.isVerified, true);
      assert.deepEqual(account.externalIds, [{ kind: 'external:auth0', value: 'auth0|found' }]);
      const events = (await eventsOf(client, user.customerRegistrationId)).filter((e) => e.code);
      assert.deepEqual(
        events.map((e) => [e.code, e.id]),
        [
          ['AUTHSYSTEM_USER_GET', 4601],
          ['SUBSCRIBE_USER_UPDATE', 4004],
          ['SUBSCRIBE_USER_GET', 4000],
        ],
      );
      assert.ok(events.every((e) => e.sourceSystem === 'test-suite'));

      // A second read finds nothing stale: no SUBSCRIBE_USER_UPDATE this time.
      await get(client, 'email=found@example.com');
      const again = (await eventsOf(client, user.customerRegistrationId)).filter((e) => e.code).slice(3);
      assert.deepEqual(
        again.map((e) => e.code),
        ['AUTHSYSTEM_USER_GET', 'SUBSCRIBE_USER_GET'],
      );
    });

    it('found, not in the local store: creates the local account (never the provider user)', async () => {
      const client = await withProvider();
      const response = await get(client, 'email=fresh@example.com');
      assert.equal(response.statusCode, 200, response.body);
      const [user] = response.json().data;
      assert.equal(user.email, 'fresh@example.com');
      assert.equal(user.firstName, 'Fresh');
      const events = await eventsOf(client, user.customerRegistrationId);
      assert.deepEqual(
        events.map((e) => e.code ?? e.type),
        ['AUTHSYSTEM_USER_GET', 'account.created', 'SUBSCRIBE_USER_UPDATE', 'SUBSCRIBE_USER_GET'],
      );
      assert.ok(
        auth0.requests.every((r) => r.method !== 'POST' || r.path === '/oauth/token'),
        'nothing is written to the provider',
      );
    });

    it('not found: answers the local record; the provider read is recorded as not found', async () => {
      const client = await withProvider();
      await seedLocal(client);
      const response = await get(client, 'email=missing@example.com');
      assert.equal(response.statusCode, 200);
      const [user] = response.json().data;
      assert.equal(user.firstName, 'Local');
      assert.equal(user.state, 'Standard', 'a client with a third-party auth system answers Standard (spec A.3)');
      const events = await t.store.outbox.listForAccount(client.tenant.id, user.customerRegistrationId);
      const providerRead = events.find((e) => e.event.type === 'provider.user_read');
      assert.ok(providerRead?.event.type === 'provider.user_read');
      assert.equal(providerRead.event.payload.found, false);
      assert.equal(providerRead.event.payload.provider, 'auth0');
    });

    it('not found anywhere: 200 with no data', async () => {
      const client = await withProvider();
      const response = await get(client, 'email=missing-too@example.com');
      assert.equal(response.statusCode, 200);
      assert.deepEqual(response.json(), {
        message: { code: 'UsersOrchestrator_S200_02', text: 'Get completed.', type: 'Success' },
        data: [],
        meta: { totalRecords: 0 },
      });
    });

    it('failing (503): retries once, then 500 UsersOrchestrator_E500_02 with no internals', async () => {
      const client = await withProvider();
      await seedLocal(client);
      const before = providerCalls('fail@example.com');
      const response = await get(client, 'email=fail@example.com');
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.json(), {
        message: { code: 'UsersOrchestrator_E500_02', text: 'There was a problem during the Get workflow.', type: 'Error' },
        data: null,
        meta: null,
      });
      assert.equal(providerCalls('fail@example.com') - before, 2, 'one retry on 5xx');
    });

    it('slow (beyond the timeout): 500 UsersOrchestrator_E500_02 within the timeout, without retry', async () => {
      const client = await withProvider(1000);
      await seedLocal(client);
      const before = providerCalls('slow@example.com');
      const started = performance.now();
      const response = await get(client, 'email=slow@example.com');
      const elapsed = performance.now() - started;
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().message.code, 'UsersOrchestrator_E500_02');
      assert.ok(elapsed < 2900, `answered in ${elapsed} ms, before the provider (3000 ms) would have`);
      assert.ok(providerCalls('slow@example.com') - before <= 1, 'a timeout is not retried');
    });

    it('counts provider calls by provider and outcome on /metrics, with their latency', async () => {
      const metric = async (outcome: string) => {
        const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
        return Number(new RegExp(`roster_naviga_provider_calls_total\\{provider="Auth0",outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
      };
      const client = await withProvider();
      await seedLocal(client);
      const before = { found: await metric('found'), notFound: await metric('not_found'), failed: await metric('failed') };
      assert.equal((await get(client, 'email=found@example.com')).statusCode, 200);
      assert.equal((await get(client, 'email=missing@example.com')).statusCode, 200);
      assert.equal((await get(client, 'email=fail@example.com')).statusCode, 500);
      assert.equal((await metric('found')) - before.found, 1);
      assert.equal((await metric('not_found')) - before.notFound, 1);
      assert.equal((await metric('failed')) - before.failed, 1, 'a failure after its retry is one call');
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      assert.match(text, /roster_naviga_provider_call_seconds_count\{provider="Auth0",outcome="found"\} \d+/);
      assert.doesNotMatch(text, new RegExp(client.tenant.id), 'no tenant ids in labels');
    });

    it('fifty concurrent reads of one new email create exactly one local account', async () => {
      // The fake provider shares this process's event loop with PGlite; the test is about one account, not latency.
      const client = await withProvider(30_000);
      const headers = await headersFor(client);
      const tokenCalls = () => auth0.requests.filter((r) => r.path === '/oauth/token').length;
      const tokensBefore = tokenCalls();
      const responses = await Promise.all(Array.from({ length: 50 }, () => t.app.inject({ method: 'GET', url: '/v4/Users?email=crowd@example.com', headers })));
      assert.ok(
        responses.every((r) => r.statusCode === 200),
        responses.find((r) => r.statusCode !== 200)?.body,
      );
      const uids = new Set(responses.map((r) => r.json().data[0].customerRegistrationId));
      assert.equal(uids.size, 1);
      assert.equal(await t.core.accounts.count({ tenantId: client.tenant.id, siteId: null, origin: { facade: 'cli' } }), 1);
      const events = await t.store.outbox.listForAccount(client.tenant.id, [...uids][0] as AccountUid);
      assert.equal(events.filter((e) => e.event.type === 'account.created').length, 1);
      assert.equal(events.filter((e) => e.event.type === 'account.synced').length, 1);
      assert.equal(events.filter((e) => e.event.type === 'account.read').length, 50);
      // The Management API token was fetched once and cached for every other call.
      assert.equal(tokenCalls() - tokensBefore, 1, 'concurrent calls share one token request');
    });
  });
});
