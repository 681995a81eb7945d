import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { runUntil, startReceiver, testWorker, workerSettings } from '../../helpers/events.js';
import { call, gigyaFixture } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(() => t.close());

describe('accounts.webhooks.*', () => {
  it('sets, lists and deletes a tenant webhook, refusing anonymous callers', async () => {
    const f = await gigyaFixture(t.core);
    const creds = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret };
    const set = await call(t.app, 'accounts.webhooks.set', {
      ...creds,
      name: 'crm',
      url: 'https://crm.example/hook',
      events: '["accountCreated","subscriptionUpdated"]',
    });
    assert.equal(set.body.errorCode, 0, set.raw);
    const all = await call(t.app, 'accounts.webhooks.getAll', creds);
    assert.equal(all.body.errorCode, 0);
    const listed = all.body.webhooks as Array<Record<string, unknown>>;
    assert.equal(listed.length, 1);
    assert.deepEqual(
      { name: listed[0]?.name, url: listed[0]?.url, events: listed[0]?.events, active: listed[0]?.active, signingUserKey: listed[0]?.signingUserKey },
      { name: 'crm', url: 'https://crm.example/hook', events: ['accountCreated', 'subscriptionUpdated'], active: true, signingUserKey: f.userKey },
    );
    assert.ok(!all.raw.includes(f.secret), 'no secret on the wire');

    assert.equal((await call(t.app, 'accounts.webhooks.getAll', { apiKey: f.apiKey })).body.errorCode, 403007);
    assert.equal((await call(t.app, 'accounts.webhooks.set', { ...creds, name: 'x', url: 'https://x.example' })).body.errorCode, 400002);
    assert.equal((await call(t.app, 'accounts.webhooks.set', { ...creds, name: 'x', url: 'not a url', events: 'accountCreated' })).body.errorCode, 400006);

    assert.equal((await call(t.app, 'accounts.webhooks.delete', { ...creds, name: 'crm' })).body.errorCode, 0);
    assert.deepEqual((await call(t.app, 'accounts.webhooks.getAll', creds)).body.webhooks, []);
    assert.equal((await call(t.app, 'accounts.webhooks.delete', { ...creds, name: 'crm' })).body.errorCode, 404000);
  });

  it('delivers an import to a webhook set through the API, signed with the key as SAP CDC signs', async () => {
    const f = await gigyaFixture(t.core);
    const receiver = await startReceiver();
    try {
      const creds = { apiKey: f.apiKey, userKey: f.userKey, secret: f.secret };
      const set = await call(t.app, 'accounts.webhooks.set', { ...creds, name: 'receiver', url: receiver.url, events: 'accountCreated,subscriptionUpdated' });
      assert.equal(set.body.errorCode, 0, set.raw);
      const imported = await call(t.app, 'accounts.importLiteAccount', {
        ...creds,
        email: 'hook@example.com',
        subscriptions: JSON.stringify({ news: { email: { isSubscribed: true } } }),
      });
      assert.equal(imported.body.errorCode, 0);
      // Only this tenant: on a shared PostgreSQL other test files' events are theirs to deliver.
      const worker = testWorker(t.store, t.core, workerSettings({ tenants: [f.tenant.id] }));
      await runUntil(worker, () => receiver.requests.length > 0);
      const request = receiver.requests[0];
      assert.ok(request);
      const expected = createHmac('sha1', Buffer.from(f.secret, 'base64')).update(request.body).digest('base64');
      assert.equal(request.headers['x-gigya-sig-hmac-sha1'], expected);
      const types = (JSON.parse(request.body).events as Array<{ type: string }>).map((e) => e.type);
      assert.ok(types.includes('accountCreated') || types.includes('subscriptionUpdated'), types.join(','));
    } finally {
      await receiver.close();
    }
  });
});
