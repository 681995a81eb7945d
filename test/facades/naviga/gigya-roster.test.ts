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
});
