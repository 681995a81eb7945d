import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { newTenant } from '../helpers/store.js';

const dataDir = mkdtempSync(join(tmpdir(), 'roster-admin-'));

describe('admin import job API', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp({ dataDir });
  });
  after(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function tenantWithKey(permissions: string[]) {
    const { tenant, site, ctx } = await newTenant(t.core, 'admin');
    const { key, secret } = await t.core.keys.create(tenant.id, { permissions });
    const authorization = `Basic ${Buffer.from(`${key.userKey}:${secret}`).toString('base64')}`;
    return { site, ctx, authorization };
  }

  async function waitForJob(url: string, authorization: string) {
    for (let i = 0; i < 200; i++) {
      const res = await t.app.inject({ method: 'GET', url, headers: { authorization } });
      assert.equal(res.statusCode, 200, res.body);
      const job = res.json();
      if (job.status !== 'running') return job;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job did not finish');
  }

  it('creates a job from an uploaded NDJSON stream, reports its status and its bad rows by line', async () => {
    const { site, ctx, authorization } = await tenantWithKey(['accounts.importLiteAccount']);
    const body = [
      JSON.stringify({ email: 'one@example.com', profile: { firstName: 'One' }, subscriptions: { news: { email: { isSubscribed: true } } } }),
      '{oops',
      JSON.stringify({ email: 'two@example.com' }),
      JSON.stringify({ email: 'bad@' }),
    ].join('\n');
    const created = await t.app.inject({
      method: 'POST',
      url: `/admin/v1/import-jobs?site=${site.gigyaApiKey}`,
      headers: { authorization, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.equal(created.statusCode, 202, created.body);
    const { jobId } = created.json();
    assert.equal(created.headers.location, `/admin/v1/import-jobs/${jobId}`);
    const job = await waitForJob(`/admin/v1/import-jobs/${jobId}`, authorization);
    assert.equal(job.status, 'done');
    assert.deepEqual([job.rows, job.failed, job.created], [4, 2, 2]);
    const results = await t.app.inject({ method: 'GET', url: `/admin/v1/import-jobs/${jobId}/results?limit=1`, headers: { authorization } });
    assert.deepEqual(results.json().results, [{ line: 2, email: null, error: results.json().results[0].error }]);
    assert.equal(results.json().nextAfterLine, 2);
    const rest = await t.app.inject({ method: 'GET', url: `/admin/v1/import-jobs/${jobId}/results?afterLine=2`, headers: { authorization } });
    assert.deepEqual(
      rest.json().results.map((r: { line: number }) => r.line),
      [4],
    );
    const one = await t.core.accounts.findByIdentifier(ctx, 'email', 'one@example.com');
    assert.equal(one?.subscriptions[0]?.isSubscribed, true);
    // The upload is removed just after the job is marked done.
    const uploads = join(dataDir, 'imports', ctx.tenantId);
    for (let i = 0; i < 100 && readdirSync(uploads).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(readdirSync(uploads), [], 'the upload is removed when its job is done');
  });

  it('counts imported rows by outcome on /metrics', async () => {
    const { site, authorization } = await tenantWithKey(['accounts.importLiteAccount']);
    const metric = async (outcome: string) =>
      Number(
        new RegExp(`roster_import_rows_total\\{outcome="${outcome}"\\} (\\d+)`).exec((await t.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0,
      );
    const before = { created: await metric('created'), failed: await metric('failed') };
    const body = [JSON.stringify({ email: 'm1@example.com' }), JSON.stringify({ email: 'm2@example.com' }), '{oops'].join('\n');
    const created = await t.app.inject({
      method: 'POST',
      url: `/admin/v1/import-jobs?site=${site.gigyaApiKey}`,
      headers: { authorization, 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    assert.equal(created.statusCode, 202, created.body);
    const job = await waitForJob(`/admin/v1/import-jobs/${created.json().jobId}`, authorization);
    assert.equal(job.status, 'done');
    assert.equal((await metric('created')) - before.created, 2);
    assert.equal((await metric('failed')) - before.failed, 1);
  });

  it('takes CSV uploads', async () => {
    const { site, ctx, authorization } = await tenantWithKey(['*']);
    const created = await t.app.inject({
      method: 'POST',
      url: `/admin/v1/import-jobs?site=${site.gigyaApiKey}`,
      headers: { authorization, 'content-type': 'text/csv' },
      payload: 'email,profile.firstName\ncsv@example.com,Csv\n',
    });
    assert.equal(created.statusCode, 202, created.body);
    const job = await waitForJob(`/admin/v1/import-jobs/${created.json().jobId}`, authorization);
    assert.equal(job.format, 'csv');
    assert.equal((await t.core.accounts.findByIdentifier(ctx, 'email', 'csv@example.com'))?.profile.firstName, 'Csv');
  });

  it('refuses bad credentials, a key without the permission, another tenant, and clear text from afar', async () => {
    const { site, authorization } = await tenantWithKey(['accounts.importLiteAccount']);
    const other = await tenantWithKey(['accounts.search']);
    const post = (headers: Record<string, string>, remoteAddress = '127.0.0.1', apiKey = site.gigyaApiKey) =>
      t.app.inject({
        method: 'POST',
        url: `/admin/v1/import-jobs?site=${apiKey}`,
        headers: { 'content-type': 'text/csv', ...headers },
        payload: 'email\n',
        remoteAddress,
      });
    assert.equal((await post({})).statusCode, 401);
    const wrong = `Basic ${Buffer.from(`${authorization.slice(6)}x:nope`).toString('base64')}`;
    assert.equal((await post({ authorization: wrong })).statusCode, 401);
    assert.equal((await post({ authorization: other.authorization })).statusCode, 403);
    const foreign = await tenantWithKey(['*']);
    assert.equal((await post({ authorization: foreign.authorization })).statusCode, 404, 'a key sees only its tenant');
    assert.equal((await post({ authorization }, '203.0.113.9')).statusCode, 403);
  });
});
