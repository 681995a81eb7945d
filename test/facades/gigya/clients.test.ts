import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildApp } from '../../../src/app.js';
import { ensureDemo } from '../../../src/demo.js';
import { openStore } from '../../../src/store/index.js';
import { buildTestApp, type TestApp, testConfig } from '../../helpers/app.js';
import { form, type GigyaFixture, gigyaFixture, sign } from '../../helpers/gigya.js';
import { testCore } from '../../helpers/store.js';

/**
 * Real clients against a listening Roster: the published npm `gigya` SDK (pointed at the
 * server as gigya-clients §2.2 shows: its own `request` instance, URL rewritten), an
 * absolute-form request target as SDKs behind an HTTP proxy send, and the demo banner's curl.
 */
const require = createRequire(import.meta.url);
const gigyaMain = require.resolve('gigya');
type PostFn = (uri: string, options: unknown, callback: unknown) => unknown;
const sdkRequest = createRequire(gigyaMain)('request') as { post: PostFn };
const { Gigya } = require('gigya') as {
  Gigya: (new (apiKey: string, dataCenter: string, userKeyOrSecret: string | Record<string, string>, secret?: string) => GigyaClient) & { RETRY_LIMIT: number };
};
interface GigyaClient {
  request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>>;
}

let t: TestApp;
let base: string;
let originalPost: PostFn;

before(async () => {
  t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  originalPost = sdkRequest.post;
  // gigya-clients §2.2: the SDK has no base-URL option; rewrite https://accounts.us1.gigya.com/<m> → base/<m>.
  sdkRequest.post = function (this: unknown, uri, options, callback) {
    return originalPost.call(this, base + new URL(uri).pathname, options, callback);
  };
  Gigya.RETRY_LIMIT = 1;
});

after(async () => {
  sdkRequest.post = originalPost;
  await t.close();
});

async function gigyaError(promise: Promise<unknown>): Promise<{ errorCode: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode: number };
  }
  assert.fail('expected the SDK to throw a GigyaError');
}

describe('npm gigya SDK', () => {
  let f: GigyaFixture;
  before(async () => {
    f = await gigyaFixture(t.core);
  });

  it('imports and unsubscribes in signed mode (userKey + secret; ms timestamps, https data-center URL)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret);
    const imported = await sdk.request('accounts.importLiteAccount', {
      email: 'sdk+1@example.com',
      profile: { firstName: 'Jöhn~*', lastName: "O'Neil (x)" },
      subscriptions: { newsletter: { weekly: { email: { isSubscribed: true, tags: ['t'] } } } },
      preferences: { terms: { isConsentGranted: true } },
    });
    assert.equal(imported.errorCode, 0);
    assert.match(String(imported.callId), /^[0-9a-f]{32}$/);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sdk+1@example.com');
    assert.equal(account?.profile.lastName, "O'Neil (x)");
    assert.equal(account?.subscriptions[0]?.subscriptionId, 'newsletter.weekly');
    assert.equal(account?.subscriptions[0]?.isSubscribed, true);

    const unsubscribed = await sdk.request('accounts.unsubscribe', { email: 'sdk+1@example.com', subscriptionID: 'newsletter.weekly', tags: [] });
    assert.equal(unsubscribed.errorCode, 0);
    const after = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sdk+1@example.com');
    assert.equal(after?.subscriptions[0]?.isSubscribed, false);
    assert.deepEqual(after?.subscriptions[0]?.tags, []);
  });

  it('signs falsy values as empty and still verifies (httpStatusCodes: false, a 0 in the params)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret);
    const r = await sdk.request('accounts.importLiteAccount', { email: 'sdk+2@example.com', httpStatusCodes: false, context: 0 });
    assert.equal(r.errorCode, 0);
    assert.equal(r.context, '0');
  });

  it('with a partner secret: importLiteAccount is refused (403007), unsubscribe works', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.siteSecret);
    const refused = await gigyaError(sdk.request('accounts.importLiteAccount', { email: 'partner@example.com' }));
    assert.equal(refused.errorCode, 403007);
    assert.equal(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'partner@example.com'), undefined);

    const signed = new Gigya(f.apiKey, 'us1', f.userKey, f.secret);
    await signed.request('accounts.importLiteAccount', { email: 'partner@example.com', subscriptions: { n: { email: { isSubscribed: true } } } });
    const r = await sdk.request('accounts.unsubscribe', { email: 'partner@example.com', subscriptionID: 'n' });
    assert.equal(r.errorCode, 0);
  });

  it('with an RSA key (bearer JWT, kid = userKey)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', { userKey: f.userKey, privateKey: f.privateKey });
    const r = await sdk.request('accounts.importLiteAccount', { email: 'bearer@example.com' });
    assert.equal(r.errorCode, 0);
    assert.ok(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'bearer@example.com'));
  });

  it('reads an account back with accounts.getAccountInfo (typed SDK method, include as an array)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret) as GigyaClient & {
      accounts: { getAccountInfo(p: Record<string, unknown>): Promise<Record<string, unknown>> };
    };
    await sdk.request('accounts.importLiteAccount', { email: 'sdk+read@example.com', profile: { firstName: 'R' } });
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sdk+read@example.com');
    const r = await sdk.accounts.getAccountInfo({ UID: account?.uid, include: ['profile'] });
    assert.equal(r.errorCode, 0);
    assert.equal(r.UID, account?.uid);
    assert.deepEqual(r.profile, { email: 'sdk+read@example.com', firstName: 'R' });
    assert.equal('data' in r, false);
  });

  it('updates an account with accounts.setAccountInfo (objects sent as JSON by the SDK)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret) as GigyaClient & {
      accounts: { setAccountInfo(p: Record<string, unknown>): Promise<Record<string, unknown>> };
    };
    await sdk.request('accounts.importLiteAccount', { email: 'sdk+set@example.com' });
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sdk+set@example.com');
    const r = await sdk.accounts.setAccountInfo({
      UID: account?.uid,
      profile: { lastName: 'Set' },
      data: { n: 0 },
      subscriptions: { s: { email: { isSubscribed: true } } },
    });
    assert.equal(r.errorCode, 0);
    const after = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'sdk+set@example.com');
    assert.equal(after?.profile.lastName, 'Set');
    assert.deepEqual(after?.data, { n: 0 });
    assert.equal(after?.subscriptions[0]?.isSubscribed, true);
  });

  it('manages the schema with accounts.setSchema and accounts.getSchema', async () => {
    type Schemas = {
      accounts: {
        setSchema(p: Record<string, unknown>): Promise<Record<string, unknown>>;
        getSchema(p: Record<string, unknown>): Promise<Record<string, unknown>>;
      };
    };
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret) as GigyaClient & Schemas;
    const set = await sdk.accounts.setSchema({ dataSchema: { fields: { 'sdk.flag': { type: 'boolean', writeAccess: 'clientModify' } }, dynamicSchema: true } });
    assert.equal(set.errorCode, 0);
    const got = await sdk.accounts.getSchema({ filter: 'full' });
    assert.deepEqual((got.dataSchema as { fields: Record<string, unknown> }).fields['sdk.flag'], { type: 'boolean', writeAccess: 'clientModify' });
  });

  it('pages through accounts.search with openCursor and cursorId (typed SDK method)', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, f.secret) as GigyaClient & {
      accounts: { search(p: Record<string, unknown>): Promise<Record<string, unknown>> };
    };
    for (let i = 0; i < 7; i++) await sdk.request('accounts.importLiteAccount', { email: `sdk+page${i}@example.com`, data: { page: true } });
    const query = 'SELECT UID, profile.email FROM emailAccounts WHERE data.page = true ORDER BY lastUpdatedTimestamp LIMIT 3';
    let r = await sdk.accounts.search({ query, openCursor: true });
    assert.equal(r.errorCode, 0);
    assert.equal(r.totalCount, 7);
    const emails = (r.results as Array<{ profile: { email: string } }>).map((x) => x.profile.email);
    while (r.nextCursorId) {
      r = await sdk.accounts.search({ cursorId: r.nextCursorId });
      assert.equal(r.errorCode, 0);
      emails.push(...(r.results as Array<{ profile: { email: string } }>).map((x) => x.profile.email));
    }
    assert.deepEqual(
      [...emails].sort(),
      Array.from({ length: 7 }, (_, i) => `sdk+page${i}@example.com`),
    );
  });

  it('surfaces a wrong secret as the SDK error 403003', async () => {
    const sdk = new Gigya(f.apiKey, 'us1', f.userKey, Buffer.from('wrong').toString('base64'));
    const error = await gigyaError(sdk.request('accounts.importLiteAccount', { email: 'x@example.com' }));
    assert.equal(error.errorCode, 403003);
  });
});

describe('absolute-form request target (HTTP proxy setting, gigya-clients §1 item 3)', () => {
  it('routes on the path and verifies the signature over http://accounts.us1.gigya.com/<method>', async () => {
    const f = await gigyaFixture(t.core);
    const method = 'accounts.importLiteAccount';
    const target = `http://accounts.us1.gigya.com/${method}`;
    const params = sign(method, { apiKey: f.apiKey, userKey: f.userKey, email: 'proxy@example.com', format: 'json', sdk: 'python_3.6.0' }, f.secret, {
      url: target,
    });
    const port = Number(new URL(base).port);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: target,
          headers: { host: 'accounts.us1.gigya.com', 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(form(params));
    });
    assert.equal(JSON.parse(body).errorCode, 0, body);
    assert.ok(await t.core.accounts.findByIdentifier(f.ctx, 'email', 'proxy@example.com'));
  });
});

describe('demo banner', () => {
  it("the banner's curl for accounts.importLiteAccount works as printed", async () => {
    // A store of its own: the banner is made only on an empty store.
    const store = await openStore({ engine: 'pglite', dataDir: undefined });
    await store.migrate();
    const core = testCore(store);
    const app = await buildApp({ config: testConfig(), core, store });
    try {
      const demo = await ensureDemo(core);
      assert.ok(demo);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const banner = demo.banner(address);
      const lines = banner.split('\n');
      const start = lines.findIndex((l) => l.trim().startsWith('curl '));
      const command = lines
        .slice(start)
        .join('\n')
        .slice(0, lines.slice(start).join('\n').indexOf("}'") + 2);
      // The secret is printed once, as an export line the curl then reads.
      const exportLine = lines.find((l) => l.trim().startsWith('export ROSTER_DEMO_SECRET='));
      assert.ok(exportLine);
      const secret = /ROSTER_DEMO_SECRET='([^']+)'/.exec(exportLine)?.[1] as string;
      assert.equal(banner.split(secret).length - 1, 1, 'the secret appears once');
      const { stdout } = await promisify(execFile)('bash', ['-c', `${exportLine.trim()}\n${command}`]);
      assert.equal(JSON.parse(stdout).errorCode, 0, stdout);
      const tenant = (await core.tenants.list())[0];
      assert.ok(tenant);
      const account = await core.accounts.findByIdentifier({ tenantId: tenant.id, siteId: null, origin: { facade: 'cli' } }, 'email', 'ada@example.com');
      assert.equal(account?.profile.lastName, 'Lovelace');
    } finally {
      await app.close();
      await store.close();
    }
  });
});
