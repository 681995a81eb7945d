import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplyFileError, applyProvisioning, parseApplyFile } from '../../src/cli/apply.js';
import type { Core } from '../../src/core/index.js';
import { openSettings } from '../../src/facades/naviga/settings.js';
import type { OpenedStore } from '../../src/store/index.js';
import { openTestStore, testCore } from '../helpers/store.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-apply-naviga-'));
let n = 0;
function file(document: unknown): string {
  const path = join(dir, `apply-${n++}.json`);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

const site = (naviga: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  tenants: [
    {
      name: `apply-naviga-${process.pid}-${n}`,
      sites: [{ name: 'web', naviga: { clientCode: `AC${process.pid}${n}`, paperCode: 'P', groupCode: 'G', ...naviga }, ...extra }],
    },
  ],
});

describe('roster apply: the naviga block', () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
  });
  after(() => store.close());

  for (const [name, naviga, extra, expected] of [
    ['a provider without its block', { userProvider: 'Auth0' }, {}, /userProvider Auth0 needs a auth0 block/],
    ['an unknown provider', { userProvider: 'Okta' }, {}, /naviga/],
    ['a public key that is not PEM', { jwt: { publicKeys: ['not a key'] } }, {}, /jwt.publicKeys\[0\] is not a PEM public key/],
    ['a short HS256 secret', { jwt: { secret: 'short' } }, {}, /naviga/],
    [
      'an HTTP provider URL without {email}',
      { userProvider: 'SSOR', ssor: { urlTemplate: 'https://ssor.example/users', fields: { email: 'email' } } },
      {},
      /naviga/,
    ],
    ['raw settings.naviga', {}, { settings: { naviga: { userProvider: '' } } }, /give Naviga settings in the site's naviga block/],
  ] as const) {
    it(`refuses ${name} before writing anything`, () => {
      assert.throws(
        () => parseApplyFile(file(site(naviga, extra))),
        (e: unknown) => e instanceof ApplyFileError && expected.test(e.message),
      );
    });
  }

  it('seals every secret, opens them back, and stores the same bytes when applied twice', async () => {
    const document = site({
      jwt: { secret: 'a-shared-hs256-secret-of-at-least-32-chars', issuer: 'https://issuer.example' },
      userProvider: 'Auth0',
      auth0: { domain: 'acme.auth0.com', clientId: 'cid', clientSecret: 'auth0-secret-value' },
      gigya: { baseUrl: 'https://accounts.eu1.gigya.com', apiKey: '3_x', userKey: 'AKEY', secret: 'c2VjcmV0LXZhbHVl' },
      firefly: { urlTemplate: 'https://firefly.example/u?e={email}', headers: { Authorization: 'Bearer firefly-token' }, fields: { email: 'email' } },
    });
    const parsed = parseApplyFile(file(document));
    await applyProvisioning(core, parsed);
    const tenant = (await core.tenants.ensure({ name: document.tenants[0]?.name as string })).tenant;
    const first = await core.sites.resolve(tenant.id, 'web');
    const stored = JSON.stringify(first.settings.naviga);
    for (const secret of ['a-shared-hs256-secret', 'auth0-secret-value', 'c2VjcmV0LXZhbHVl', 'firefly-token']) assert.ok(!stored.includes(secret), secret);
    assert.equal(first.naviga?.clientCode, document.tenants[0]?.sites[0]?.naviga.clientCode);

    const opened = openSettings(first.settings.naviga, { open: (path, sealed) => core.sites.openSetting(first, path, sealed) });
    assert.ok('settings' in opened);
    assert.equal(opened.settings.auth0?.clientSecret, 'auth0-secret-value');
    assert.equal(opened.settings.firefly?.headers?.Authorization, 'Bearer firefly-token');
    assert.equal(opened.settings.jwt?.issuer, 'https://issuer.example');

    await applyProvisioning(core, parsed);
    const second = await core.sites.resolve(tenant.id, 'web');
    assert.equal(JSON.stringify(second.settings.naviga), stored, 'idempotent: unchanged secrets keep their ciphertext');

    // A sealed value copied to another site does not open there.
    const other = await core.sites.create(tenant.id, { name: 'other' });
    const moved = openSettings(first.settings.naviga, { open: (path, sealed) => core.sites.openSetting(other, path, sealed) });
    assert.ok('problem' in moved);
  });
});
