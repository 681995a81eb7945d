import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyProvisioning } from '../../src/cli/apply.js';
import { renderTemplate } from '../../src/messaging/templates.js';
import { siteDocument } from '../../src/provisioning.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { type ConsoleFixture, consoleFixture, signIn } from '../helpers/console.js';

/**
 * PUT /admin/v1/tenants/:t/sites/:site takes the whole site: what the document leaves out is
 * removed (doors, settings), stored secrets are kept as "(set)" only while their address stays.
 */
let t: TestApp;
let f: ConsoleFixture;
before(async () => {
  t = await buildTestApp();
  f = await consoleFixture(t);
});
after(() => t.close());

const tenantUrl = (path: string) => `/admin/v1/tenants/${f.gigya.tenant.id}${path}`;
type Session = { cookie: string; csrf: string };
const send = (s: Session, method: 'PUT' | 'GET', url: string, payload?: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, ...headers }, ...(payload && { payload }) });
const CREATE_ONLY = { 'if-none-match': '*' };
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const shownDocument = async (s: Session, name: string) =>
  (await send(s, 'GET', tenantUrl('/sites'))).json().sites.find((x: { name: string }) => x.name === name).document;

type Block = Record<string, unknown>;
const JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-chars';
const fullSite = (name: string) => ({
  name,
  gigya: {},
  boostcom: { slug: name, club: { member_schema: { type: 'object', properties: { first_name: { type: 'string' } } } } },
  naviga: { clientCode: `C-${name}`, paperCode: 'P1', groupCode: 'G1', jwt: { secret: JWT_SECRET } },
  settings: { pages: { siteName: 'Before' } },
});

describe('admin API: PUT site states the whole site', () => {
  it('a document without its boostcom or naviga block closes that door, as roster apply does', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    for (const via of ['api', 'apply'] as const) {
      const name = unique(via);
      const created = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), fullSite(name));
      assert.equal(created.statusCode, 201, created.body);
      const { boostcom: _b, naviga: _n, ...withoutDoors } = await shownDocument(admin, name);
      if (via === 'api') {
        const r = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), withoutDoors);
        assert.equal(r.statusCode, 200, r.body);
        assert.equal(r.json().status, 'updated');
      } else {
        const report = await applyProvisioning(t.core, { tenants: [{ name: f.gigya.tenant.name, sites: [{ ...withoutDoors, gigya: {} }] }] });
        assert.equal(report.sites[0]?.status, 'updated');
      }
      const site = await t.core.sites.resolve(f.gigya.tenant.id, name);
      assert.equal(site.boostcomSlug, null, via);
      assert.equal(site.naviga, null, via);
      assert.equal(site.settings.boostcom, undefined, via);
      assert.equal(site.settings.naviga, undefined, via);
      assert.equal(await t.core.sites.findByBoostcomSlug(name), undefined, via);
      const shown = await shownDocument(admin, name);
      assert.equal(shown.boostcom, undefined);
      assert.equal(shown.naviga, undefined);
    }
  });

  it('refuses "(set)" for a provider secret whose address changed: the stored secret is never sent to a new host', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const providers = {
      SSOR: {
        ssor: { urlTemplate: 'https://ssor.example/users?email={email}', headers: { 'X-Api-Key': 'ssor-header-secret' }, fields: { email: 'mail' } },
        move: (b: Block) => ({ ...b, ssor: { ...(b.ssor as Block), urlTemplate: 'https://evil.example/?e={email}' } }),
        path: '/naviga/ssor/headers/X-Api-Key',
      },
      Auth0: {
        auth0: { domain: 'acme.eu.auth0.com', clientId: 'cid', clientSecret: 'auth0-client-secret' },
        move: (b: Block) => ({ ...b, auth0: { ...(b.auth0 as Block), baseUrl: 'https://evil.example' } }),
        path: '/naviga/auth0/clientSecret',
      },
    };
    for (const [userProvider, { move, path, ...block }] of Object.entries(providers)) {
      const name = unique(userProvider.toLowerCase());
      const site = { name, gigya: {}, naviga: { clientCode: `C-${name}`, paperCode: 'P1', groupCode: 'G1', userProvider, ...block } };
      const created = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), site);
      assert.equal(created.statusCode, 201, created.body);
      const shown = await shownDocument(admin, name);
      const moved = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { ...shown, naviga: move(shown.naviga) });
      assert.equal(moved.statusCode, 400, moved.body);
      assert.deepEqual(moved.json().fields, [{ path, message: 'enter the secret again when the address changes' }]);
      // Same address: "(set)" keeps it; a new address with the secret typed again is saved.
      assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${name}`), shown)).json().status, 'unchanged');
      const retyped = move({ ...site.naviga });
      assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { ...site, naviga: retyped })).statusCode, 200);
    }
  });

  it('replaces the settings (a removed one is gone) but keeps the stored message templates unless given', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = unique('settings');
    const site = { name, gigya: {}, settings: { pages: { siteName: 'Before' }, custom: { a: 1 }, messaging: { from: 'news@acme.example' } } };
    assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${name}`), site)).statusCode, 201);
    const template = await send(admin, 'PUT', tenantUrl(`/sites/${name}/templates/doi_confirmation/en`), { subject: 'Confirm', text: 'Click {{link}}' });
    assert.equal(template.statusCode, 200, template.body);

    // What the site editor sends after removing `custom`: no templates (edited in their own panel).
    const saved = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), {
      ...site,
      settings: { pages: { siteName: 'After' }, messaging: { from: 'news@acme.example' } },
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const stored = await t.core.sites.resolve(f.gigya.tenant.id, name);
    assert.equal(stored.settings.custom, undefined, 'a setting left out is removed');
    assert.deepEqual(stored.settings.pages, { siteName: 'After' });
    assert.deepEqual(stored.settings.messaging, {
      from: 'news@acme.example',
      templates: { doi_confirmation: { en: { subject: 'Confirm', text: 'Click {{link}}' } } },
    });
    // Given, templates are replaced like any setting.
    await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { ...site, settings: { messaging: { templates: {} } } });
    assert.deepEqual((await t.core.sites.resolve(f.gigya.tenant.id, name)).settings, { messaging: { templates: {} } });
  });

  it('refuses boostcom.clients (their generated tokens would be lost) and saves nothing', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = unique('clients');
    const site = { ...fullSite(name), boostcom: { ...fullSite(name).boostcom, clients: [{ name: 'pos', permits: ['members.read'] }] } };
    const r = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), site);
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().fields[0].path, '/boostcom/clients');
    assert.match(r.json().fields[0].message, /roster apply/);
    assert.ok(!(await t.core.sites.list(f.gigya.tenant.id)).some((s) => s.name === name));
  });
});

describe("admin API: create only (If-None-Match: *), as the console's New forms send", () => {
  it('creates a new site, and refuses one whose name exists with 412 naming it, changing nothing', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = unique('taken');
    const created = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), fullSite(name), CREATE_ONLY);
    assert.equal(created.statusCode, 201, created.body);
    const before = await shownDocument(admin, name);
    const stored = await t.core.sites.resolve(f.gigya.tenant.id, name);

    // What "New site" sends when the admin types a name in use: a bare Gigya site.
    const again = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { gigya: {}, settings: { pages: { siteName: 'After' } } }, CREATE_ONLY);
    assert.equal(again.statusCode, 412, again.body);
    assert.deepEqual(again.json(), {
      error: `Site ${name} already exists: choose another name, or edit that site`,
      code: 'provisioning.entry_exists',
      fields: [{ field: 'name', message: `a site named ${name} already exists` }],
    });
    assert.deepEqual(await shownDocument(admin, name), before, 'doors, settings and secrets as they were');
    const after = await t.core.sites.resolve(f.gigya.tenant.id, name);
    assert.equal(after.updatedAt.getTime(), stored.updatedAt.getTime());
    assert.equal(((await siteDocument(t.core, after)) as { naviga: { jwt: { secret: string } } }).naviga.jwt.secret, JWT_SECRET);
    // Without the header the PUT still states the whole site (the editor's save).
    assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${name}`), before)).json().status, 'unchanged');
  });

  it('creates a new webhook, and refuses one whose name exists with 412, keeping its URL and secret', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = unique('hook');
    const url = tenantUrl(`/webhooks/${name}`);
    const hook = { url: 'https://erp.example/hook', events: ['account.created'], secret: 'erp-secret' };
    assert.equal((await send(admin, 'PUT', url, hook, CREATE_ONLY)).statusCode, 201);
    const again = await send(admin, 'PUT', url, { url: 'https://other.example/hook', events: ['*'], secret: 'other-secret' }, CREATE_ONLY);
    assert.equal(again.statusCode, 412, again.body);
    assert.equal(again.json().code, 'provisioning.entry_exists');
    assert.deepEqual(again.json().fields, [{ field: 'name', message: `a webhook named ${name} already exists` }]);
    const stored = await t.core.webhooks.get(f.gigya.tenant.id, name);
    assert.equal(stored.url, hook.url);
    assert.deepEqual(stored.eventTypes, hook.events);
    assert.equal((await t.core.webhooks.findForDelivery(f.gigya.tenant.id, stored.id))?.secret, 'erp-secret');
  });
});

describe('admin API: site listing and template languages', () => {
  it('stores a template for nb-NO under nb-no, where messaging looks it up, and removes it by either spelling', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = unique('lang');
    assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { name, gigya: {} })).statusCode, 201);
    const saved = await send(admin, 'PUT', tenantUrl(`/sites/${name}/templates/doi_confirmation/nb-NO`), { subject: 'Bekreft', text: 'Klikk {{link}}' });
    assert.equal(saved.statusCode, 200, saved.body);
    assert.equal(saved.json().language, 'nb-no');
    const site = await t.core.sites.resolve(f.gigya.tenant.id, name);
    assert.deepEqual(Object.keys((site.settings.messaging as { templates: { doi_confirmation: object } }).templates.doi_confirmation), ['nb-no']);
    assert.equal(renderTemplate(site, 'doi_confirmation', 'nb-NO', {}).subject, 'Bekreft');
    assert.equal(
      (
        await t.app.inject({
          method: 'DELETE',
          url: tenantUrl(`/sites/${name}/templates/doi_confirmation/nb-NO`),
          headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        })
      ).statusCode,
      204,
    );
    assert.deepEqual((await t.core.sites.resolve(f.gigya.tenant.id, name)).settings.messaging, { templates: {} });
  });

  it('a Gigya site secret that does not decrypt reads "(unreadable)" on its own site; the listing still answers', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const [broken, donor] = [unique('broken'), unique('donor')];
    for (const name of [broken, donor]) {
      const r = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { name, gigya: { secret: Buffer.from(`${name}-secret`).toString('base64') } });
      assert.equal(r.statusCode, 201, r.body);
    }
    // The donor's sealed secret is bound to the donor site: under the broken site it does not open.
    const donorSite = await t.core.sites.resolve(f.gigya.tenant.id, donor);
    const brokenSite = await t.core.sites.resolve(f.gigya.tenant.id, broken);
    const sealed = await t.store.sites.findGigyaSecret(donorSite.tenantId, donorSite.id);
    await t.store.sites.update(brokenSite.tenantId, brokenSite.id, { gigyaSecretEnc: sealed ?? null, updatedAt: new Date() });

    const listed = await send(admin, 'GET', tenantUrl('/sites'));
    assert.equal(listed.statusCode, 200, listed.body);
    const documentOf = (name: string) => listed.json().sites.find((s: { name: string }) => s.name === name).document;
    assert.equal(documentOf(broken).gigya.secret, '(unreadable)');
    assert.equal(documentOf(donor).gigya.secret, '(set)');
    // Sent back as it reads, the unreadable secret is not kept: the operator gives it again.
    const back = await send(admin, 'PUT', tenantUrl(`/sites/${broken}`), documentOf(broken));
    assert.equal(back.statusCode, 400, back.body);
    assert.equal(back.json().fields[0].path, '/gigya/secret');
  });
});
