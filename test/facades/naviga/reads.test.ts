import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CallContext } from '../../../src/core/index.js';
import { METADATA_KEYS } from '../../../src/facades/naviga/metadata.js';
import { ENCRYPTED_EMAIL_PURPOSE } from '../../../src/facades/naviga/orchestrator.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { headersFor, type NavigaClient, provisionClient } from './fixtures.js';

describe('naviga reads, metadata, encrypted ids, legacy model, OpenAPI', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp();
  });
  after(() => t.close());

  const ctxOf = (client: NavigaClient): CallContext => ({ tenantId: client.tenant.id, siteId: client.site.id, origin: { facade: 'cli' } });
  const get = async (client: NavigaClient, url: string) => t.app.inject({ method: 'GET', url, headers: await headersFor(client) });

  async function richAccount(client: NavigaClient) {
    const ctx = ctxOf(client);
    const { account } = await t.core.accounts.upsertLite(
      ctx,
      {
        email: 'Rich@Example.com',
        profile: {
          firstName: 'Rika',
          lastName: 'Rich',
          title: 'Dr',
          gender: 'f',
          age: 41,
          birthYear: 1983,
          birthMonth: 4,
          birthDay: 9,
          address: 'Storgata 1',
          city: 'Oslo',
          zip: '0155',
          country: 'NO',
          phones: [
            { type: 'home', number: '+4722000000' },
            { type: 'mobile', number: '+4790000000' },
            { type: 'work', number: '+4723000000' },
          ],
          work: [{ company: 'Acme', title: 'Editor' }],
          photoURL: 'https://img.example/r.png',
          nickname: 'rika',
        },
        data: { scoreMember: 'gold', timeZone: 'Europe/Oslo', isOkToMail: true, custom: 'x' },
        subscriptions: [
          { subscriptionId: 'ebill', channel: 'email', isSubscribed: true, tags: [] },
          { subscriptionId: 'promo', channel: 'email', isSubscribed: false, tags: [] },
        ],
        consents: [
          { consentId: 'terms', isGranted: true, version: '1' },
          { consentId: 'marketing', isGranted: false, version: '1' },
          { consentId: 'acceptsEmailOffers', isGranted: true, version: '1' },
        ],
      },
      { via: 'import' },
    );
    await t.core.channels.set(ctx, account.uid, 'email', 'hard_bounced');
    await t.core.channels.set(ctx, account.uid, 'sms', 'enabled');
    return account;
  }

  it('maps profile, data, subscriptions, consents and channel statuses into metadata, every key present', async () => {
    const client = await provisionClient(t.core);
    await richAccount(client);
    const response = await get(client, '/v4/Users?email=rich@example.com');
    assert.equal(response.statusCode, 200, response.body);
    const [user] = response.json().data;
    assert.deepEqual(Object.keys(user.metadata), [...METADATA_KEYS]);
    assert.ok(Object.values(user.metadata).every((v) => typeof v === 'string'));
    assert.deepEqual(Object.fromEntries(Object.entries(user.metadata).filter(([, v]) => v !== '')), {
      title: 'Dr',
      phoneNumber: '+4722000000',
      gender: 'f',
      age: '41',
      dob: '1983-04-09',
      dobYYYY: '1983',
      acceptsEmailOffers: 'true',
      address: 'Storgata 1',
      city: 'Oslo',
      country: 'NO',
      position: 'Editor',
      isOkToEmail: 'false',
      isOkToPhone: 'true',
      isOkToMail: 'true',
      workPhone: '+4723000000',
      timeZone: 'Europe/Oslo',
      scoreMember: 'gold',
      companyName: 'Acme',
      postalCode: '0155',
      cellPhone: '+4790000000',
      ebill_flag: 'true',
      promo_flag: 'false',
      photo: 'https://img.example/r.png',
      displayName: 'rika',
      optOutMarketing: 'true',
      agreeToTerms: 'true',
      bounceType: 'Hard',
    });
    assert.equal(user.email, 'rich@example.com');
    assert.equal(user.firstName, 'Rika');
    assert.equal(user.state, 'Lite', 'a lite account has no password (spec A.3)');
    assert.equal(user.verified, false);
  });

  it('states Unverified and Standard for accounts with a password (MG2 auth, no provider)', async () => {
    const client = await provisionClient(t.core);
    const ctx = ctxOf(client);
    const { account } = await t.core.accounts.upsertLite(ctx, { email: 'pw@example.com' }, { via: 'lite' });
    await t.core.accounts.update(ctx, account.uid, () => ({ patch: { passwordHash: 'hash', hasFullAccount: true }, changed: ['password'] }));
    assert.equal((await get(client, '/v4/Users?email=pw@example.com')).json().data[0].state, 'Unverified');
    await t.core.accounts.update(ctx, account.uid, () => ({ patch: { isVerified: true }, changed: ['isVerified'] }));
    const user = (await get(client, '/v4/Users?email=pw@example.com')).json().data[0];
    assert.equal(user.state, 'Standard');
    assert.equal(user.verified, true);
  });

  it('round-trips encryptedCustomerRegistrationId and rejects tampered or foreign ones', async () => {
    const client = await provisionClient(t.core);
    const account = await richAccount(client);
    const [user] = (await get(client, '/v4/Users?email=rich@example.com')).json().data;
    assert.equal(user.customerRegistrationId, account.uid);
    assert.match(user.encryptedCustomerRegistrationId, /^[A-Za-z0-9_-]+$/, 'URL-safe');
    assert.ok(!user.encryptedCustomerRegistrationId.includes(account.uid));

    const back = await get(client, `/v4/Users?encryptedCustomerRegistrationId=${user.encryptedCustomerRegistrationId}`);
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().data[0].customerRegistrationId, account.uid);
    assert.equal(back.json().data[0].encryptedCustomerRegistrationId, user.encryptedCustomerRegistrationId, 'stable');

    const token: string = user.encryptedCustomerRegistrationId;
    const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    for (const bad of [flipped, token.slice(0, -2), 'plainly-not-a-token']) {
      const response = await get(client, `/v4/Users?EncryptedCustomerRegistrationId=${bad}`);
      assert.equal(response.statusCode, 400, bad);
      assert.equal(response.json().message.errors[0].field, 'encryptedCustomerRegistrationId');
    }
    const other = await provisionClient(t.core);
    assert.equal((await get(other, `/v4/Users?encryptedCustomerRegistrationId=${token}`)).statusCode, 400, 'another tenant’s key does not open it');
  });

  it('reads by encrypted email', async () => {
    const client = await provisionClient(t.core);
    await richAccount(client);
    const encrypted = t.core.opaqueIds.seal(client.tenant.id, ENCRYPTED_EMAIL_PURPOSE, 'rich@example.com');
    const response = await get(client, `/v4/Users?encryptedEmail=${encrypted}`);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().data[0].email, 'rich@example.com');
    assert.equal((await get(client, '/v4/Users?encryptedEmail=garbage')).statusCode, 400);
  });

  it('reads by id (with and without the trailing slash) and records SUBSCRIBE_USER_GETBYID', async () => {
    const client = await provisionClient(t.core);
    const account = await richAccount(client);
    for (const url of [`/v4/Users/${account.uid}`, `/v4/Users/${account.uid}/?ignoreProvider=false`, `/UsersOrchestrator/v4/Users/${account.uid}`]) {
      const response = await get(client, url);
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.json().data[0].customerRegistrationId, account.uid);
    }
    const unknown = await get(client, '/v4/Users/0123456789abcdef0123456789abcdef');
    assert.deepEqual(unknown.json().data, []);
    const events = await t.store.outbox.listForAccount(client.tenant.id, account.uid);
    const reads = events
      .filter((e) => e.event.type === 'account.read')
      .map((e) => e.event.type === 'account.read' && [e.event.payload.eventCode, e.event.payload.eventId]);
    assert.deepEqual(reads, [
      ['SUBSCRIBE_USER_GETBYID', 4001],
      ['SUBSCRIBE_USER_GETBYID', 4001],
      ['SUBSCRIBE_USER_GETBYID', 4001],
    ]);
    assert.ok(events.every((e) => e.event.type !== 'account.read' || e.origin.facade === 'naviga'));
  });

  it('records an audited read with no account when nobody is found', async () => {
    const client = await provisionClient(t.core);
    await get(client, '/v4/Users?email=ghost@example.com');
    const rows = await t.store.db
      .selectFrom('outbox_events')
      .selectAll()
      .where('tenant_id', '=', client.tenant.id)
      .where('type', '=', 'account.read')
      .execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.account_uid, null);
    assert.deepEqual(rows[0]?.payload, { payload: { eventCode: 'SUBSCRIBE_USER_GET', eventId: 4000, found: false } });
    assert.equal((rows[0]?.origin as { sourceSystem?: string } | undefined)?.sourceSystem, 'test-suite');
  });

  it('serves Get By Query String with PageSize, OrderBy and OrderByType, validating them', async () => {
    const client = await provisionClient(t.core);
    const account = await richAccount(client);
    const ok = await get(client, `/v4/Users?CustomerRegistrationId=${account.uid}&PageSize=5&OrderBy=email&OrderByType=DESC`);
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().data.length, 1);
    assert.deepEqual(ok.json().meta, { totalRecords: 1 });
    const bad = await get(client, `/v4/Users?customerRegistrationId=${account.uid}&pageSize=0&orderBy=shoeSize&orderByType=up`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad.json().message.errors.map((e: { field: string }) => e.field),
      ['PageSize', 'OrderBy', 'OrderByType'],
    );
  });

  it('serves the legacy GET /User/{type}?email= in the PascalCase model', async () => {
    const client = await provisionClient(t.core);
    const account = await richAccount(client);
    const response = await get(client, '/User/Standard?Email=RICH@example.com');
    assert.equal(response.statusCode, 200);
    const body = response.json();
    assert.equal(body.Code, 0);
    assert.deepEqual(body.Errors, []);
    assert.equal(body.RequestId, response.headers['x-request-id']);
    const user = body.Result.User;
    assert.equal(user.RegistrationId, account.numericId);
    assert.equal(user.CustomerRegistrationId, account.uid);
    assert.equal(user.Email, 'rich@example.com');
    assert.equal(user.FirstName, 'Rika');
    assert.equal(user.MobilePhone, '+4790000000');
    assert.equal(user.OptInPaperlessBilling, true);
    assert.equal(user.OptInContestAndPromotions, false);
    assert.equal(user.IsOkToEmail, 0);
    assert.equal(user.IsOkToPhone, 1);
    assert.equal(user.AcceptsEmailOffers, 1);
    assert.equal(user.AgreeToTerms, true);
    assert.equal(user.BounceType, 'Hard');
    assert.deepEqual(user.UserState, { UserStateId: 2, UserStateCode: 'Lite' });
    assert.deepEqual(user.AuthSystem, { AuthSystemId: 1, AuthSystemCode: 'MG2', AuthSystemName: 'MG2' });
    assert.equal(user.Metadata.city, 'Oslo');
    const none = (await get(client, '/User/Standard?email=nobody@example.com')).json();
    assert.equal(none.Result.User, null);
  });

  it('publishes OpenAPI 3.1 at /v4/openapi.json and Swagger UI at /docs', async () => {
    const response = await t.app.inject('/v4/openapi.json');
    assert.equal(response.statusCode, 200);
    const doc = response.json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/v4/Users']?.get);
    assert.ok(doc.paths['/v4/Users/{customerRegistrationId}']?.get);
    assert.ok(doc.paths['/User/{type}']?.get);
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/UsersOrchestrator')), 'the proxy-prefixed copies are not listed twice');
    assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/healthz')), 'only this facade');
    const parameters = doc.paths['/v4/Users'].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    assert.ok(parameters.includes('query:email') && parameters.includes('header:X-ClientCode'));
    assert.deepEqual(doc.components.securitySchemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const schema = doc.paths['/v4/Users'].get.responses['200'].content['application/json'].schema;
    assert.ok(schema.properties.data.items.properties.metadata.properties.ebill_flag);

    // /docs lists every facade's document; this facade's own UI is under /docs/naviga.
    const ui = await t.app.inject('/docs/static/swagger-initializer.js');
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /\/v4\/openapi\.json/);
    const own = await t.app.inject('/docs/naviga');
    assert.equal(own.statusCode, 200);
    assert.match(own.body, /swagger/i);
    assert.deepEqual((await t.app.inject('/docs/naviga/json')).json().paths, doc.paths, 'the UI browses the same document');
  });
});
