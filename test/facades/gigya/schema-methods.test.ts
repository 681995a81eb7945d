import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const creds = (f: GigyaFixture, extra: Record<string, string>) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...extra });

describe('accounts.getSchema / accounts.setSchema', () => {
  it('answers the empty schema shapes for a site that never set one, also anonymously', async () => {
    const f = await gigyaFixture(t.core);
    const r = await call(t.app, 'accounts.getSchema', { apiKey: f.apiKey });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.deepEqual(r.body.profileSchema, { fields: {}, dynamicSchema: false });
    assert.deepEqual(r.body.dataSchema, { fields: {}, dynamicSchema: true });
    assert.deepEqual(r.body.subscriptionsSchema, { fields: {} });
    assert.deepEqual(r.body.preferencesSchema, { fields: {} });
  });

  it('sets fields incrementally with flat dotted keys; getSchema reads them back, filtered and included as asked', async () => {
    const f = await gigyaFixture(t.core);
    const first = await call(
      t.app,
      'accounts.setSchema',
      creds(f, {
        dataSchema: JSON.stringify({
          fields: { 'crm.id': { type: 'string', writeAccess: 'serverOnly' }, terms: { type: 'boolean', required: true } },
          dynamicSchema: false,
        }),
        subscriptionsSchema: JSON.stringify({ fields: { 'news.daily': { email: { type: 'subscription', doubleOptIn: true, description: 'Daily' } } } }),
      }),
    );
    assert.equal(first.body.errorCode, 0, first.raw);
    const second = await call(
      t.app,
      'accounts.setSchema',
      creds(f, { dataSchema: JSON.stringify({ fields: { terms: { writeAccess: 'clientModify' }, age: { type: 'long' } } }) }),
    );
    assert.equal(second.body.errorCode, 0, second.raw);
    const r = await call(t.app, 'accounts.getSchema', creds(f, { include: 'dataSchema,subscriptionsSchema' }));
    assert.deepEqual(r.body.dataSchema, {
      fields: {
        'crm.id': { type: 'string', writeAccess: 'serverOnly' },
        terms: { type: 'boolean', required: true, writeAccess: 'clientModify' },
        age: { type: 'long' },
      },
      dynamicSchema: false,
    });
    assert.equal((r.body.subscriptionsSchema as { fields: Record<string, { email: { doubleOptIn: boolean } }> }).fields['news.daily']?.email.doubleOptIn, true);
    assert.equal('profileSchema' in r.body, false);
    const client = await call(t.app, 'accounts.getSchema', creds(f, { filter: 'clientOnly', include: '["dataSchema"]' }));
    assert.deepEqual(Object.keys((client.body.dataSchema as { fields: object }).fields), ['terms']);

    // The schema set here is what importLiteAccount checks against.
    const imported = await call(t.app, 'accounts.importLiteAccount', creds(f, { email: 's@example.com', data: '{"age":"x"}' }));
    assert.equal(imported.body.errorCode, 400009);
  });

  it('refuses bad field definitions and changing a data field type, changing nothing', async () => {
    const f = await gigyaFixture(t.core);
    await call(t.app, 'accounts.setSchema', creds(f, { dataSchema: JSON.stringify({ fields: { n: { type: 'long' } } }) }));
    const r = await call(
      t.app,
      'accounts.setSchema',
      creds(f, {
        dataSchema: JSON.stringify({ fields: { n: { type: 'string' }, x: { type: 'bool' }, y: { writeAccess: 'anyone' }, z: { format: 'regex(' } } }),
      }),
    );
    assert.equal(r.body.errorCode, 400006);
    assert.deepEqual((r.body.validationErrors as Array<{ fieldName: string }>).map((e) => e.fieldName).sort(), [
      'dataSchema.fields.n',
      'dataSchema.fields.x',
      'dataSchema.fields.y',
      'dataSchema.fields.z',
    ]);
    const after = await call(t.app, 'accounts.getSchema', creds(f, { include: 'dataSchema' }));
    assert.deepEqual((after.body.dataSchema as { fields: object }).fields, { n: { type: 'long' } });
    const none = await call(t.app, 'accounts.setSchema', creds(f, {}));
    assert.equal(none.body.errorCode, 400002);
    const anon = await call(t.app, 'accounts.setSchema', { apiKey: f.apiKey, dataSchema: '{"fields":{}}' });
    assert.equal(anon.body.errorCode, 403007);
    const badFilter = await call(t.app, 'accounts.getSchema', { apiKey: f.apiKey, filter: 'all' });
    assert.equal(badFilter.body.errorCode, 400006);
  });
});
