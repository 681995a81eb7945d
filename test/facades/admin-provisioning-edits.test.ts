import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyProvisioning } from '../../src/cli/apply.js';
import { renderTemplate } from '../../src/messaging/templates.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { ADMIN_PASSWORD, type ConsoleFixture, consoleFixture, signIn } from '../helpers/console.js';

/**
 * The admin API's editors: one site, webhook or template at a time through the provisioning use
 * case of `roster apply` (secrets shown as "(set)", kept when sent back so), and admin management.
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
const send = (s: Session, method: 'PUT' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, ...(payload && { payload }) });

/** The actions the audit log holds about `target`, newest first. */
async function auditOf(s: Session, target: string): Promise<string[]> {
  const r = await t.app.inject({ method: 'GET', url: `/admin/v1/audit?target=${encodeURIComponent(target)}`, headers: { cookie: s.cookie } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().entries.map((e: { action: string }) => e.action);
}

const JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-chars';
const siteDocument = (name: string, code: string) => ({
  name,
  gigya: { apiKey: `${name}-api-key`, secret: Buffer.from(`${name}-site-secret`).toString('base64') },
  naviga: {
    clientCode: code,
    paperCode: 'P1',
    groupCode: 'G1',
    jwt: { secret: JWT_SECRET, issuer: 'https://issuer.example' },
    userProvider: 'SSOR' as const,
    ssor: { urlTemplate: 'https://ssor.example/users?email={email}', headers: { 'X-Api-Key': 'ssor-header-secret' }, fields: { email: 'mail' } },
  },
  settings: { pages: { siteName: 'Edited', colors: { brand: '#224466' } } },
});

describe('admin API: one site through the apply use case', () => {
  it('creates a site, shows its secrets only as (set), keeps them when sent back so, and ends in the state roster apply gives', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = `web-${Date.now().toString(36)}`;
    const document = siteDocument(name, `C-${name}`);
    const created = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), document);
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().status, 'created');
    for (const secret of [JWT_SECRET, 'ssor-header-secret', document.gigya.secret]) assert.ok(!created.body.includes(secret), 'no secret echoed');

    const listed = await t.app.inject({ method: 'GET', url: tenantUrl('/sites'), headers: { cookie: admin.cookie } });
    const shown = listed.json().sites.find((s: { name: string }) => s.name === name).document;
    assert.equal(shown.gigya.secret, '(set)');
    assert.equal(shown.naviga.jwt.secret, '(set)');
    assert.equal(shown.naviga.ssor.headers['X-Api-Key'], '(set)');
    assert.ok(!listed.body.includes(JWT_SECRET) && !listed.body.includes('ssor-header-secret'));

    // What the console sends back after editing one field: the other secrets are kept.
    const edited = { ...shown, naviga: { ...shown.naviga, jwt: { ...shown.naviga.jwt, audience: 'roster' } } };
    const updated = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), edited);
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().status, 'updated');
    const again = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), updated.json().document);
    assert.equal(again.json().status, 'unchanged', 'what GET shows, PUT back, changes nothing');

    // roster apply with the secrets in clear finds the same state: nothing to change.
    const viaCli = { ...document, naviga: { ...document.naviga, jwt: { ...document.naviga.jwt, audience: 'roster' } } };
    const report = await applyProvisioning(t.core, { tenants: [{ name: f.gigya.tenant.name, sites: [viaCli] }] });
    assert.equal(report.sites[0]?.status, 'unchanged');
    const site = await t.core.sites.resolve(f.gigya.tenant.id, name);
    assert.equal(await t.core.sites.gigyaSecret(site), document.gigya.secret);
    const audit = await auditOf(admin, name);
    assert.deepEqual(audit, ['site.update', 'site.update', 'site.create']);
  });

  it("refuses a document breaking a facade's rules with the path of each problem, and saves nothing", async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const name = `bad-${Date.now().toString(36)}`;
    const document = siteDocument(name, `C-${name}`);
    const bad = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), {
      ...document,
      naviga: { ...document.naviga, userProvider: 'Auth0' },
      gigya: { ...document.gigya, bogus: true },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    const fields = bad.json().fields as Array<{ path: string; message: string }>;
    assert.ok(
      fields.some((p) => p.path === '/gigya/bogus'),
      bad.body,
    );
    const format = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { ...document, naviga: { ...document.naviga, userProvider: 'Auth0' } });
    assert.deepEqual(format.json().fields, [{ path: '/naviga', message: 'userProvider Auth0 needs a auth0 block' }]);
    const noSecret = await send(admin, 'PUT', tenantUrl(`/sites/${name}`), { ...document, naviga: { ...document.naviga, jwt: { secret: '(set)' } } });
    assert.equal(noSecret.statusCode, 400);
    assert.equal(noSecret.json().fields[0].path, '/naviga/jwt/secret');
    assert.equal(
      (await t.core.sites.list(f.gigya.tenant.id)).find((s) => s.name === name),
      undefined,
      'nothing saved',
    );
  });

  it('support and viewer may not edit; a tenant admin not in the tenant may not either', async () => {
    for (const role of ['support', 'viewer'] as const) {
      const s = await signIn(t, f.admins[role]);
      const r = await send(s, 'PUT', tenantUrl('/sites/nope'), { gigya: {} });
      assert.equal(r.statusCode, 403, role);
      assert.equal((await send(s, 'PUT', tenantUrl('/webhooks/nope'), { url: 'https://example.com', events: ['*'] })).statusCode, 403);
      assert.equal((await send(s, 'PUT', tenantUrl(`/sites/${f.gigya.site.name}/templates/doi_confirmation/en`), { text: 'x' })).statusCode, 403);
    }
    const other = await consoleFixture(t);
    const outsider = await signIn(t, other.admins.tenant_admin);
    assert.equal((await send(outsider, 'PUT', tenantUrl('/sites/nope'), { gigya: {} })).statusCode, 403);
  });
});

describe('admin API: applying a document', () => {
  it('answers a refused document with each problem at its path in `fields`, as the editors do', async () => {
    const owner = await signIn(t, f.admins.owner);
    const refused = await send(owner, 'POST', '/admin/v1/provisioning', { tenants: [{ name: '' }, { name: 'x', bogus: 1 }] });
    assert.equal(refused.statusCode, 400, refused.body);
    assert.deepEqual(refused.json(), {
      error: 'The document does not match the apply format',
      problems: ['/tenants/0/name: must not have fewer than 1 characters', '/tenants/1/bogus: unknown key bogus'],
      fields: [
        { path: '/tenants/0/name', message: 'must not have fewer than 1 characters' },
        { path: '/tenants/1/bogus', message: 'unknown key bogus' },
      ],
    });
  });
});

describe('admin API: webhooks', () => {
  it('creates, edits (secret kept when left out), disables and deletes a webhook; a bad URL names its field', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const url = tenantUrl('/webhooks/erp');
    const created = await send(admin, 'PUT', url, { url: 'https://erp.example/hook', events: ['account.created'], secret: 'erp-secret' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().webhook.hasSecret, true);
    assert.ok(!created.body.includes('erp-secret'));

    // The stored secret signs for the URL it was given with: a new URL needs it again.
    const moved = await send(admin, 'PUT', url, { url: 'https://other.example/hook', events: ['account.created'] });
    assert.equal(moved.statusCode, 400, moved.body);
    assert.equal(moved.json().fields?.[0]?.field, 'secret', moved.body);
    assert.match(moved.json().fields[0].message, /enter the secret again when the address changes/);
    await send(admin, 'PUT', url, { url: 'https://erp.example/hook2', events: ['account.created'], secret: 'erp-secret' });
    const edited = await send(admin, 'PUT', url, { url: 'https://erp.example/hook2', events: ['account.created', 'account.deleted'], format: 'roster' });
    assert.equal(edited.statusCode, 200, edited.body);
    assert.equal(edited.json().status, 'updated');
    const delivery = await t.core.webhooks.findForDelivery(f.gigya.tenant.id, edited.json().webhook.id);
    assert.equal(delivery?.secret, 'erp-secret', 'the secret is kept');
    assert.equal(delivery?.webhook.url, 'https://erp.example/hook2');

    const disabled = await send(admin, 'PUT', url, { url: 'https://erp.example/hook2', events: ['account.created', 'account.deleted'], enabled: false });
    assert.equal(disabled.json().webhook.enabled, false);

    const bad = await send(admin, 'PUT', url, { url: 'https://erp.example/hook2', events: [] });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().fields[0].path, '/events');
    const badUrl = await send(admin, 'PUT', url, { url: 'ftp://nowhere', events: ['*'] });
    assert.equal(badUrl.statusCode, 400, badUrl.body);

    assert.equal((await send(admin, 'DELETE', url)).statusCode, 204);
    assert.equal((await send(admin, 'DELETE', url)).statusCode, 404);
    assert.ok(!(await t.core.webhooks.list(f.gigya.tenant.id)).some((w) => w.name === 'erp'));
  });
});

describe('admin API: templates', () => {
  it('previews a draft with sample data, saves an override that messaging then uses, and resets it to the default', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const site = f.gigya.site.name;
    const draft = { subject: 'Hei {{email}}', text: 'Confirm {{subscription}}: {{confirmUrl}}', html: '<p>{{email}}</p>' };
    const preview = await send(admin, 'POST', tenantUrl('/templates/preview'), { site, template: 'doi_confirmation', language: 'en', draft });
    assert.equal(preview.statusCode, 200, preview.body);
    assert.equal(preview.json().subject, 'Hei ada.lovelace@example.com');
    assert.match(preview.json().text, /^Confirm news: https:\/\//);
    assert.equal(preview.json().html, '<p>ada.lovelace@example.com</p>');

    const url = tenantUrl(`/sites/${encodeURIComponent(site)}/templates/doi_confirmation/en`);
    assert.equal((await send(admin, 'PUT', url, draft)).statusCode, 200);
    const stored = await t.core.sites.resolve(f.gigya.tenant.id, site);
    assert.equal(renderTemplate(stored, 'doi_confirmation', 'en', { email: 'x@example.com' }).subject, 'Hei x@example.com');
    assert.deepEqual(
      (stored.settings.gigya as { schema?: unknown }).schema,
      (f.gigya.site.settings.gigya as { schema?: unknown }).schema,
      'the rest of the site is kept',
    );
    assert.equal(await t.core.sites.gigyaSecret(stored), f.gigya.siteSecret, 'its secret too');

    const page = await send(admin, 'POST', tenantUrl('/templates/preview'), { site, template: 'page_doi_confirm', language: 'nb' });
    assert.equal(page.json().action, 'Bekreft abonnementet');
    assert.equal((await send(admin, 'PUT', tenantUrl(`/sites/${site}/templates/no_such/en`), draft)).statusCode, 400);

    assert.equal((await send(admin, 'DELETE', url)).statusCode, 204);
    const reset = await t.core.sites.resolve(f.gigya.tenant.id, site);
    assert.equal(renderTemplate(reset, 'doi_confirmation', 'en', {}).subject, 'Please confirm your subscription');
  });
});

describe('admin API: the HTML preview page', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const draft = { template: 'doi_confirmation', language: 'en', text: 'Confirm: {{confirmUrl}}' };
  const html = '<style>p { color: #1f4e8c }</style><p style="font-size: 18px">Hei {{email}}</p><img src="https://cdn.example/logo.png" alt="">';

  it('serves the draft HTML body as a page of its own: inline styles and images allowed, sandboxed, no script', async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    // What the console's form posts into its sandboxed frame: the token as a field, Origin null, Sec-Fetch-Site same-origin.
    const page = await t.app.inject({
      method: 'POST',
      url: tenantUrl('/templates/preview.html'),
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'null', 'sec-fetch-site': 'same-origin' },
      payload: form({ site: f.gigya.site.name, ...draft, html: `${html}<b>{{subscription}}</b>`, csrfToken: admin.csrf }),
    });
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.body, `${html.replace('{{email}}', 'ada.lovelace@example.com')}<b>news</b>`);
    const csp = String(page.headers['content-security-policy']).split('; ');
    for (const directive of [
      'sandbox',
      "default-src 'none'",
      "style-src 'unsafe-inline'",
      'img-src https: http: data:',
      "form-action 'none'",
      "frame-ancestors 'self'",
    ])
      assert.ok(csp.includes(directive), directive);
    assert.ok(!csp.some((d) => d.startsWith('script-src')), 'scripts fall under default-src none');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');

    // Without a draft text: the site's template as stored (here Roster's default).
    const stored = await send(admin, 'POST', tenantUrl('/templates/preview.html'), { site: f.gigya.site.name, template: 'doi_confirmation', language: 'en' });
    assert.equal(stored.statusCode, 200, stored.body);
    assert.match(stored.body, /^<p>Please confirm your subscription to news\.<\/p>/);
  });

  it("refuses a form without the session's CSRF token, and Origin null from anywhere but this origin", async () => {
    const admin = await signIn(t, f.admins.tenant_admin);
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: tenantUrl('/templates/preview.html'),
        headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: form({ ...draft, html, ...fields }),
      });
    const refusals = [
      [{}, {}, 'Missing or wrong CSRF token'],
      [{}, { csrfToken: 'forged' }, 'Missing or wrong CSRF token'],
      [{ origin: 'null', 'sec-fetch-site': 'same-origin' }, {}, 'Missing or wrong CSRF token'],
      [{ origin: 'null', 'sec-fetch-site': 'cross-site' }, { csrfToken: admin.csrf }, 'Cross-origin request refused'],
      [{ origin: 'null' }, { csrfToken: admin.csrf }, 'Cross-origin request refused'],
      [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, { csrfToken: admin.csrf }, 'Cross-origin request refused'],
    ] as const;
    for (const [headers, fields, error] of refusals) {
      const r = await post(headers, fields);
      assert.equal(r.statusCode, 403, `${JSON.stringify(headers)} ${JSON.stringify(fields)}`);
      assert.equal(r.json().error, error);
    }
    assert.equal((await post({}, { csrfToken: admin.csrf })).statusCode, 200);
    // Other routes take no form at all.
    const other = await t.app.inject({
      method: 'POST',
      url: tenantUrl('/templates/preview'),
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({ ...draft, csrfToken: admin.csrf }),
    });
    assert.equal(other.statusCode, 415, other.body);
  });
});

describe('admin API: managing admins', () => {
  it('an owner changes a role, disables and enables, resets a password (shown once) and removes TOTP; a tenant admin may not', async () => {
    const owner = await signIn(t, f.admins.owner);
    const email = `managed.${Date.now().toString(36)}@example.com`;
    const { user } = await t.core.adminIdentity.create({ email, password: ADMIN_PASSWORD, role: 'viewer', tenantIds: [f.gigya.tenant.id], totp: true });
    const url = `/admin/v1/admins/${user.id}`;

    const promoted = await send(owner, 'PATCH', url, { role: 'support' });
    assert.equal(promoted.statusCode, 200, promoted.body);
    assert.equal(promoted.json().admin.role, 'support');

    const noTotp = await send(owner, 'DELETE', `${url}/totp`);
    assert.equal(noTotp.json().admin.totpEnabled, false);
    const session = await signIn(t, email);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/session', headers: { cookie: session.cookie } })).statusCode, 200);

    assert.equal((await send(owner, 'PATCH', url, { disabled: true })).json().admin.disabled, true);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/session', headers: { cookie: session.cookie } })).statusCode, 401, 'sessions end');
    const login = () => t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email, password: ADMIN_PASSWORD } });
    assert.equal((await login()).statusCode, 401);
    await send(owner, 'PATCH', url, { disabled: false });
    assert.equal((await login()).statusCode, 200);

    const reset = await send(owner, 'POST', `${url}/password`, {});
    assert.equal(reset.statusCode, 200, reset.body);
    const password = reset.json().password as string;
    assert.ok(password.length >= 12);
    assert.equal((await login()).statusCode, 401, 'the old password is gone');
    assert.equal((await t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email, password } })).statusCode, 200);

    assert.deepEqual(
      (await auditOf(owner, email)).filter((a) => a !== 'admin.login'),
      ['admin.reset_password', 'admin.update', 'admin.update', 'admin.remove_totp', 'admin.update'],
    );

    const admin = await signIn(t, f.admins.tenant_admin);
    for (const [method, path] of [
      ['PATCH', url],
      ['POST', `${url}/password`],
      ['DELETE', `${url}/totp`],
    ] as const) {
      assert.equal(
        (await send(admin, method, path, method === 'PATCH' ? { disabled: true } : method === 'POST' ? {} : undefined)).statusCode,
        403,
        `${method} ${path}`,
      );
    }
  });

  it('refuses an owner disabling or demoting themselves (so the console never loses its last owner)', async () => {
    const owner = await signIn(t, f.admins.owner);
    const me = (await t.core.adminIdentity.list()).find((u) => u.email === f.admins.owner);
    for (const patch of [{ disabled: true }, { role: 'viewer', tenants: [f.gigya.tenant.id] }]) {
      const refused = await send(owner, 'PATCH', `/admin/v1/admins/${me?.id}`, patch);
      assert.equal(refused.statusCode, 400, refused.body);
      assert.match(refused.json().error, /yourself/);
    }
    assert.equal((await t.core.adminIdentity.get(me?.id as string)).role, 'owner');
  });
});

describe('admin API: the editors in the OpenAPI document', () => {
  it('lists every new route', async () => {
    const paths = (await t.app.inject({ method: 'GET', url: '/admin/v1/openapi.json' })).json().paths;
    assert.ok(paths['/admin/v1/tenants/{tenant}/sites/{site}'].put);
    assert.ok(paths['/admin/v1/tenants/{tenant}/webhooks/{name}'].put);
    assert.ok(paths['/admin/v1/tenants/{tenant}/webhooks/{name}'].delete);
    assert.ok(paths['/admin/v1/tenants/{tenant}/sites/{site}/templates/{template}/{language}'].put);
    assert.ok(paths['/admin/v1/tenants/{tenant}/templates/preview'].post);
    assert.ok(paths['/admin/v1/tenants/{tenant}/templates/preview.html'].post);
    assert.ok(paths['/admin/v1/admins/{id}'].patch);
    assert.ok(paths['/admin/v1/admins/{id}/password'].post);
    assert.ok(paths['/admin/v1/admins/{id}/totp'].delete);
  });
});
