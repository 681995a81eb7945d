import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplyFileError, applyProvisioning, parseApplyFile } from '../../src/cli/apply.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { call } from '../helpers/gigya.js';

let t: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'roster-apply-gigya-'));
const suffix = `${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

describe('roster apply: the Gigya schema block', () => {
  const schema = { dataSchema: { fields: { terms: { type: 'boolean' } }, dynamicSchema: true } };
  const provisioning = (s: unknown) => ({
    tenants: [{ name: `schema-${suffix}`, sites: [{ name: 'web', gigya: { apiKey: `3_schema_${suffix}`, schema: s } }], keys: [{ label: 'etl' }] }],
  });

  it('stores the schema in site.settings.gigya.schema, idempotently, and importLiteAccount checks against it', async () => {
    const path = file('ok.json', provisioning(schema));
    const first = await applyProvisioning(t.core, parseApplyFile(path));
    await applyProvisioning(t.core, parseApplyFile(path));
    const tenantId = first.tenants[0]?.id as string;
    const sites = await t.core.sites.list(tenantId as never);
    assert.equal(sites.length, 1);
    assert.deepEqual((sites[0]?.settings.gigya as { schema: unknown } | undefined)?.schema, schema);

    const secret = first.keys[0]?.secret as string;
    const userKey = first.keys[0]?.userKey as string;
    const r = await call(t.app, 'accounts.importLiteAccount', {
      apiKey: `3_schema_${suffix}`,
      userKey,
      secret,
      email: 'a@example.com',
      data: '{"terms":"yes"}',
    });
    assert.equal(r.body.errorCode, 400009);
  });

  it('refuses an unknown field type with the path of the problem', () => {
    const path = file('bad.json', provisioning({ dataSchema: { fields: { terms: { type: 'bool' } } } }));
    assert.throws(
      () => parseApplyFile(path),
      (error: unknown) => error instanceof ApplyFileError && /\/gigya\/schema\/dataSchema/.test(error.message),
    );
  });
});
