import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyProvisioning } from '../../src/cli/apply.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { startReceiver, testWorker, workerSettings } from '../helpers/events.js';
import { newTenant } from '../helpers/store.js';

describe('events admin API and webhook provisioning', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ trustedProxies: ['127.0.0.1'] });
  });
  after(async () => {
    await t.close();
  });

  it('replays over HTTPS for a key with events.admin, scoped to its tenant', async () => {
    const { tenant, ctx } = await newTenant(t.core, 'adm');
    const other = await newTenant(t.core, 'adm-other');
    const admin = await t.core.keys.create(tenant.id, { label: 'ops', permissions: ['events.admin'] });
    const plain = await t.core.keys.create(tenant.id, { label: 'app', permissions: ['accounts.*'] });
    const receiver = await startReceiver();
    await t.core.webhooks.set(tenant.id, { name: 'r', url: receiver.url, eventTypes: ['account.created'], format: 'roster', secret: 's' });
    const worker = testWorker(t.store, t.core, workerSettings({ tenants: [tenant.id, other.tenant.id] }));
    await t.core.accounts.upsertLite(ctx, { email: 'a@example.com' }, { via: 'lite' });
    await t.core.accounts.upsertLite(other.ctx, { email: 'a@example.com' }, { via: 'lite' });
    while (receiver.delivered().length < 1) await worker.tick();

    const replay = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/events/replay',
        headers,
        payload: { since: new Date(Date.now() - 60_000).toISOString() },
        remoteAddress: '127.0.0.1',
      });
    const https = { 'x-forwarded-proto': 'https' };

    // Relayed in clear text by the (trusted) proxy: refused even with the right credentials.
    const insecure = await replay({ 'x-forwarded-proto': 'http', 'x-roster-user-key': admin.key.userKey, 'x-roster-secret': admin.secret });
    assert.equal(insecure.statusCode, 403);
    assert.match(insecure.json().error, /HTTPS/);
    assert.equal((await replay(https)).statusCode, 401);
    assert.equal((await replay({ ...https, 'x-roster-user-key': admin.key.userKey, 'x-roster-secret': `${admin.secret}x` })).statusCode, 401);
    assert.equal((await replay({ ...https, 'x-roster-user-key': plain.key.userKey, 'x-roster-secret': plain.secret })).statusCode, 403);
    const ok = await replay({ ...https, 'x-roster-user-key': admin.key.userKey, 'x-roster-secret': admin.secret });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { replayed: { events: 1, deliveries: 1 } });
    while (receiver.delivered().length < 2) await worker.tick();
    assert.equal(receiver.delivered()[1]?.id, receiver.delivered()[0]?.id, 'the same event again');

    const log = await t.app.inject({
      method: 'GET',
      url: `/admin/events/log?eventId=${receiver.delivered()[0]?.id}`,
      headers: { ...https, 'x-roster-user-key': admin.key.userKey, 'x-roster-secret': admin.secret },
      remoteAddress: '127.0.0.1',
    });
    assert.deepEqual(
      log.json().log.map((l: { outcome: string; statusCode: number }) => [l.outcome, l.statusCode]),
      [
        ['delivered', 200],
        ['delivered', 200],
      ],
    );
    await receiver.close();
  });

  it('provisions webhooks from a roster apply file, idempotently, with the secret from the environment', async () => {
    const name = `apply-${process.pid}-${Date.now().toString(36)}`;
    const file = {
      tenants: [
        {
          name,
          webhooks: [
            {
              name: 'crm',
              url: 'https://crm.example/hooks/roster',
              events: ['account.created', 'consent.changed'],
              secret: ['$', '{CRM_WEBHOOK_SECRET}'].join(''),
            },
          ], // the literal ${…} placeholder
        },
      ],
    };
    const first = await applyProvisioning(t.core, file, { CRM_WEBHOOK_SECRET: 'from-env' });
    assert.deepEqual(first.webhooks, [{ tenant: name, name: 'crm', created: true, status: 'created' }]);
    const second = await applyProvisioning(t.core, file, { CRM_WEBHOOK_SECRET: 'from-env' });
    assert.deepEqual(second.webhooks, [{ tenant: name, name: 'crm', created: false, status: 'unchanged' }]);
    const tenant = await t.core.tenants.resolve(name);
    const [hook] = await t.core.webhooks.list(tenant.id);
    assert.equal(hook?.format, 'roster');
    assert.deepEqual(hook?.eventTypes, ['account.created', 'consent.changed']);
    assert.equal((await t.core.webhooks.findForDelivery(tenant.id, hook!.id))?.secret, 'from-env');
    await assert.rejects(applyProvisioning(t.core, file, {}), /CRM_WEBHOOK_SECRET is not set/);
  });
});
