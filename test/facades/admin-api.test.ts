import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyProvisioning } from '../../src/cli/apply.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { type ConsoleFixture, consoleFixture, signIn } from '../helpers/console.js';

let t: TestApp;
let f: ConsoleFixture;
before(async () => {
  t = await buildTestApp();
  f = await consoleFixture(t);
});
after(() => t.close());

const tenantUrl = (path: string) => `/admin/v1/tenants/${f.gigya.tenant.id}${path}`;

describe('admin API: sessions', () => {
  it('sets an HttpOnly SameSite=Strict cookie scoped to the API (Secure over HTTPS only), and ends it on sign-out', async () => {
    const { cookie, csrf, response } = await signIn(t, f.admins.owner);
    const setCookie = String(response.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.match(setCookie, /Path=\/admin\/v1/);
    assert.doesNotMatch(setCookie, /Secure/); // loopback over http: a Secure cookie would never come back

    const session = await t.app.inject({ method: 'GET', url: '/admin/v1/session', headers: { cookie } });
    assert.equal(session.json().user.email, f.admins.owner);
    assert.equal(session.json().csrfToken, csrf);

    const refused = await t.app.inject({ method: 'DELETE', url: '/admin/v1/session', headers: { cookie } });
    assert.equal(refused.statusCode, 403, 'sign-out without the CSRF token');
    const out = await t.app.inject({ method: 'DELETE', url: '/admin/v1/session', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/session', headers: { cookie } })).statusCode, 401);
  });

  it('refuses wrong passwords with one message, and answers 429 once locked', async () => {
    const wrong = () => t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email: f.admins.viewer, password: 'not the password' } });
    for (let i = 0; i < 4; i++) assert.equal((await wrong()).json().error, 'Wrong email or password');
    const fifth = await wrong();
    assert.equal(fifth.statusCode, 401);
    const locked = await wrong();
    assert.equal(locked.statusCode, 429);
    await t.core.adminIdentity.resetPassword(f.admins.viewer, 'correct horse battery staple');
  });

  it('refuses a relayed clear-text request (not loopback, not HTTPS)', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email: f.admins.owner, password: 'x' }, remoteAddress: '10.1.2.3' });
    assert.equal(r.statusCode, 403);
  });
});

describe('admin API: people', () => {
  it('finds the person by email, phone-less name and UID, and reads the whole consent story with DOI proof; the view is audited', async () => {
    const { cookie } = await signIn(t, f.admins.support);
    for (const q of [
      f.person.email as string,
      'lovelace',
      f.person.uid,
      `SELECT * FROM accounts WHERE profile.firstName = "Ada" AND UID = "${f.person.uid}"`,
    ]) {
      const r = await t.app.inject({ method: 'GET', url: tenantUrl(`/people?q=${encodeURIComponent(q)}`), headers: { cookie } });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(
        r.json().people.map((p: { uid: string }) => p.uid),
        [f.person.uid],
        q,
      );
    }
    const bad = await t.app.inject({ method: 'GET', url: tenantUrl(`/people?q=${encodeURIComponent('SELECT * FROM accounts WHERE (')}`), headers: { cookie } });
    assert.equal(bad.statusCode, 400);

    const r = await t.app.inject({ method: 'GET', url: tenantUrl(`/people/${f.person.uid}`), headers: { cookie } });
    assert.equal(r.statusCode, 200, r.body);
    const record = r.json();
    const news = record.account.subscriptions.find((s: { subscriptionId: string }) => s.subscriptionId === 'news');
    assert.equal(news.doubleOptIn.status, 'Confirmed');
    assert.equal(news.doubleOptIn.requestUserAgent, 'Signup-Form/1.0');
    assert.equal(news.doubleOptIn.confirmUserAgent, 'Mail-Client/2.0');
    assert.ok(news.doubleOptIn.requestIp && news.doubleOptIn.confirmIp && news.doubleOptIn.confirmedAt);
    assert.deepEqual(
      record.consentHistory.terms.map((c: { version: string }) => c.version),
      ['1', '2'],
    );
    assert.deepEqual(
      record.doors.map((d: { kind: string; ref: string }) => [d.kind, d.ref]),
      [['gigya', f.gigya.apiKey]],
    );
    assert.ok(record.events.some((e: { type: string }) => e.type === 'subscription.confirmed'));
    assert.ok(!r.body.includes('sealedConfirmToken'));

    const log = await t.core.adminIdentity.auditLog(
      { kind: 'user', user: (await t.core.adminIdentity.list()).find((u) => u.role === 'owner')! },
      { target: f.person.uid, limit: 10 },
    );
    assert.equal(log[0]?.action, 'person.view');
    assert.equal(log[0]?.actor, f.admins.support);
    assert.equal(log[0]?.ip, '127.0.0.1');
  });

  it('unsubscribes with the CSRF token only, writes the event with the admin as origin, and audits it', async () => {
    const { cookie, csrf } = await signIn(t, f.admins.support);
    const url = tenantUrl(`/people/${f.person.uid}/unsubscribe`);
    const noToken = await t.app.inject({ method: 'POST', url, headers: { cookie }, payload: { subscriptionId: 'news' } });
    assert.equal(noToken.statusCode, 403);
    const crossSite = await t.app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
      payload: { subscriptionId: 'news' },
    });
    assert.equal(crossSite.statusCode, 403);
    assert.equal((await t.core.accounts.get(f.gigya.ctx, f.person.uid)).subscriptions.find((s) => s.subscriptionId === 'news')?.isSubscribed, true);

    const ok = await t.app.inject({ method: 'POST', url, headers: { cookie, 'x-csrf-token': csrf }, payload: { subscriptionId: 'news' } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await t.core.accounts.get(f.gigya.ctx, f.person.uid)).subscriptions.find((s) => s.subscriptionId === 'news')?.isSubscribed, false);
    const events = await t.store.outbox.listForAccount(f.gigya.tenant.id, f.person.uid);
    const last = events.at(-1);
    assert.equal(last?.event.type, 'subscription.changed');
    assert.equal(last?.origin.facade, 'admin');
  });

  it('each role is refused what it may not do; another tenant is out of reach', async () => {
    const viewer = await signIn(t, f.admins.viewer);
    const support = await signIn(t, f.admins.support);
    const post = (s: { cookie: string; csrf: string }, url: string, payload: object, method: 'POST' | 'PATCH' = 'POST') =>
      t.app.inject({ method, url, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf }, payload });
    assert.equal((await post(viewer, tenantUrl(`/people/${f.person.uid}/unsubscribe`), { subscriptionId: 'news' })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: tenantUrl(`/people/${f.person.uid}/export`), headers: { cookie: viewer.cookie } })).statusCode, 403);
    assert.equal((await post(support, tenantUrl(`/people/${f.person.uid}`), { profile: { firstName: 'X' } }, 'PATCH')).statusCode, 403);
    assert.equal((await post(support, tenantUrl('/keys'), { label: 'x', permissions: ['*'] })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/audit', headers: { cookie: support.cookie } })).statusCode, 403);

    const other = await t.core.tenants.create({ name: `other-${Date.now().toString(36)}` });
    const admin = await signIn(t, f.admins.tenant_admin);
    assert.equal((await t.app.inject({ method: 'GET', url: `/admin/v1/tenants/${other.id}/people`, headers: { cookie: admin.cookie } })).statusCode, 403);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: `/admin/v1/tenants/${other.id}/people`, headers: { cookie: (await signIn(t, f.admins.owner)).cookie } }))
        .statusCode,
      200,
    );
  });

  it('an application key with admin permissions works without a session; a key without them is refused', async () => {
    const admin = await t.core.keys.create(f.gigya.tenant.id, { label: 'ops', permissions: ['admin.people.read'] });
    const plain = await t.core.keys.create(f.gigya.tenant.id, { label: 'app', permissions: ['accounts.*'] });
    const basic = (k: { key: { userKey: string }; secret: string }) => `Basic ${Buffer.from(`${k.key.userKey}:${k.secret}`).toString('base64')}`;
    const url = tenantUrl(`/people?q=${encodeURIComponent(f.person.email as string)}`);
    const ok = await t.app.inject({ method: 'GET', url, headers: { authorization: basic(admin) } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().people.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: basic(plain) } })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url, headers: { authorization: basic({ key: admin.key, secret: 'wrong' }) } })).statusCode, 401);
  });
});

describe('admin API: provisioning', () => {
  it('a new key shows its secret once; roster apply and the API give the same state', async () => {
    const { cookie, csrf } = await signIn(t, f.admins.tenant_admin);
    const created = await t.app.inject({
      method: 'POST',
      url: tenantUrl('/keys'),
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { label: 'crm', permissions: ['accounts.*'] },
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.ok(created.json().secret);
    const listed = await t.app.inject({ method: 'GET', url: tenantUrl('/keys'), headers: { cookie } });
    assert.ok(listed.json().keys.some((k: { userKey: string }) => k.userKey === created.json().key.userKey));
    assert.ok(!listed.body.includes(created.json().secret));

    const name = `prov-${Date.now().toString(36)}`;
    const document = {
      tenants: [
        {
          name,
          sites: [{ name: 'web', gigya: { apiKey: `${name}-key` } }],
          webhooks: [{ name: 'crm', url: 'https://example.com/hook', events: ['*'], secret: 'hook-secret' }],
        },
      ],
    };
    const owner = await signIn(t, f.admins.owner);
    const asAdmin = await t.app.inject({ method: 'POST', url: '/admin/v1/provisioning', headers: { cookie, 'x-csrf-token': csrf }, payload: document });
    assert.equal(asAdmin.statusCode, 403, 'a tenant admin creates no tenant');
    const applied = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/provisioning',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload: document,
    });
    assert.equal(applied.statusCode, 200, applied.body);
    assert.equal(applied.json().tenants[0].created, true);
    const again = await applyProvisioning(t.core, document, {});
    assert.equal(again.tenants[0]?.created, false);
    assert.equal(again.sites[0]?.apiKey, `${name}-key`);
    const tenant = await t.core.tenants.resolve(name);
    assert.equal((await t.core.webhooks.list(tenant.id)).length, 1);

    const invalid = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/provisioning',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload: { tenants: [{ name, bogus: 1 }] },
    });
    assert.equal(invalid.statusCode, 400);
    assert.ok(invalid.json().problems.length > 0);
  });

  it('publishes its OpenAPI document beside the facades on /docs', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/admin/v1/openapi.json' });
    assert.equal(r.statusCode, 200);
    assert.ok(r.json().paths['/admin/v1/tenants/{tenant}/people/{uid}']);
    const gigya = await t.app.inject({ method: 'GET', url: '/gigya/openapi.json' });
    assert.equal(gigya.statusCode, 200);
    assert.ok(gigya.json().paths['/accounts.importLiteAccount'].post.requestBody);
    const docs = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.match(docs.body, /\/gigya\/openapi\.json/);
    assert.match(docs.body, /\/admin\/v1\/openapi\.json/);
  });
});

describe('admin API: dashboard and events', () => {
  it('counts sign-ups by door, subscribes and unsubscribes per list, and double opt-in', async () => {
    const { cookie } = await signIn(t, f.admins.viewer);
    const r = await t.app.inject({ method: 'GET', url: tenantUrl('/dashboard?days=7'), headers: { cookie } });
    assert.equal(r.statusCode, 200, r.body);
    const d = r.json();
    const sum = (rows: Array<{ key: string; count: number }>, key: string) => rows.filter((x) => x.key === key).reduce((n, x) => n + x.count, 0);
    assert.equal(sum(d.signups, 'gigya'), 1);
    assert.equal(sum(d.subscribes, 'news'), 1);
    assert.equal(sum(d.unsubscribes, 'news'), 1); // the unsubscribe above
    assert.equal(d.doubleOptIn.requested, 1);
    assert.equal(d.doubleOptIn.confirmed, 1);
    assert.equal(typeof d.doubleOptIn.medianMsToConfirm, 'number');
    const events = await t.app.inject({ method: 'GET', url: tenantUrl('/events'), headers: { cookie } });
    assert.equal(events.statusCode, 200);
    assert.ok(events.json().backlog >= 1, 'no worker ran: the events wait for fan-out');
  });
});

describe('admin API: club settings through provisioning', () => {
  it('checks a club member schema before saving anything, then saves a valid one', async () => {
    const owner = await signIn(t, f.admins.owner);
    const slug = `club-${Date.now().toString(36)}`;
    const post = (club: object) =>
      t.app.inject({
        method: 'POST',
        url: '/admin/v1/provisioning',
        headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
        payload: { tenants: [{ name: f.gigya.tenant.name, sites: [{ name: 'club', boostcom: { slug, club } }] }] },
      });
    const bad = await post({ member_schema: { type: 'object', properties: { age: { type: 'not-a-type' } } } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json().problems[0], /member_schema/);
    assert.equal(
      (await t.core.sites.list(f.gigya.tenant.id)).find((s) => s.name === 'club'),
      undefined,
      'nothing saved',
    );
    const good = await post({ member_schema: { type: 'object', properties: { first_name: { type: 'string' } } } });
    assert.equal(good.statusCode, 200, good.body);
    const site = (await t.core.sites.list(f.gigya.tenant.id)).find((s) => s.name === 'club');
    assert.equal(site?.boostcomSlug, slug);
    assert.deepEqual((site?.settings.boostcom as { member_schema?: object } | undefined)?.member_schema, {
      type: 'object',
      properties: { first_name: { type: 'string' } },
    });
  });
});

describe('admin API: admins', () => {
  it('an owner adds an admin (generated password shown once) who can sign in; a tenant admin may not', async () => {
    const owner = await signIn(t, f.admins.owner);
    const email = `added.${Date.now().toString(36)}@example.com`;
    const created = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/admins',
      headers: { cookie: owner.cookie, 'x-csrf-token': owner.csrf },
      payload: { email, role: 'viewer', tenants: [f.gigya.tenant.name] },
    });
    assert.equal(created.statusCode, 201, created.body);
    const login = await t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email, password: created.json().password } });
    assert.equal(login.statusCode, 200);
    assert.equal(login.json().user.role, 'viewer');

    const admin = await signIn(t, f.admins.tenant_admin);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/admins',
      headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      payload: { email: `x${email}`, role: 'owner' },
    });
    assert.equal(refused.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/v1/admins', headers: { cookie: admin.cookie } })).statusCode, 403);
  });
});
