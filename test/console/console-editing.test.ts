import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { ROSTER_SIGNATURE_HEADER, ROSTER_TIMESTAMP_HEADER, rosterSignature } from '../../src/events/formats/roster.js';
import { createDevMailbox } from '../../src/messaging/mailbox.js';
import { siteDocument } from '../../src/provisioning.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { browserUnavailable, launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { ADMIN_PASSWORD, type ConsoleFixture, consoleFixture } from '../helpers/console.js';
import { checkPage, consolePage } from '../helpers/console-browser.js';
import { runUntil, startReceiver, testWorker, workerSettings } from '../helpers/events.js';
import { call, sign } from '../helpers/gigya.js';

/**
 * The console's provisioning editors in real Chromium: a site's Gigya schema edited and honoured
 * by a signed Gigya call, a bad schema refused with the problem beside its field, a webhook added
 * whose test event arrives (and whose secret survives an edit), a template edited with its
 * preview and then used by the real double opt-in mail, an admin created whose viewer role is
 * refused edits, and a tenant created. ROSTER_SCREENSHOTS=1 writes their screenshots.
 */
const skip = browserUnavailable();

/** A computed style of the element, read in its own frame (these tests have no DOM types). */
const styleOf = (locator: Locator, property: string) =>
  locator.evaluate((el, name) => (globalThis as unknown as { getComputedStyle(e: unknown): Record<string, string> }).getComputedStyle(el)[name], property);

/** Another origin serving an image, as the image host a tenant's email HTML points at. */
async function startImageHost() {
  const asked: string[] = [];
  const banner =
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="40"><rect width="240" height="40" rx="6" fill="#1f4e8c"/>' +
    '<text x="16" y="27" font-family="Georgia, serif" font-size="20" fill="#fff">Acme News</text></svg>';
  const server = createServer((request, response) => {
    asked.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(banner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('console editors in Chromium', { skip }, () => {
  let t: TestApp;
  let f: ConsoleFixture;
  let browser: TestBrowser;
  let page: Page;
  let base: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let images: Awaited<ReturnType<typeof startImageHost>>;
  let problems: string[];

  before(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    f = await consoleFixture(t, `ada.editing.${Date.now()}@example.com`);
    receiver = await startReceiver();
    images = await startImageHost();
    browser = await launchBrowser();
    ({ page, problems } = await consolePage(browser));
  });
  after(async () => {
    await browser?.close();
    await receiver?.close();
    await images?.close();
    await t?.close();
  });

  const check = (name: string, shot?: Parameters<typeof checkPage>[2]) => checkPage(page, name, shot ?? (name === 'person' ? 'viewport' : 'whole'));

  async function signIn(p: Page, email: string, password = ADMIN_PASSWORD) {
    await p.goto(`${base}/`);
    await p.getByLabel('Email').fill(email);
    await p.getByLabel('Password').fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByRole('heading', { name: 'People', level: 1 }).waitFor();
  }

  /** The Provisioning page drawn afresh: by way of People, so a re-render still under way from the last step is dropped. */
  async function openProvisioning(p: Page) {
    await p.goto(`${base}/console#/${f.gigya.tenant.id}/people`);
    await p.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    await p.goto(`${base}/console#/${f.gigya.tenant.id}/provisioning`);
    await p.getByRole('heading', { name: 'Provisioning', level: 1 }).waitFor();
  }

  /** importLiteAccount signed with the application key, as the Gigya SDKs sign. */
  function importSigned(profile: object) {
    const params = sign(
      'accounts.importLiteAccount',
      { apiKey: f.gigya.apiKey, userKey: f.gigya.userKey, email: `zip.${Date.now()}.${Math.random()}@example.com`, profile: JSON.stringify(profile) },
      f.gigya.secret,
    );
    return call(t.app, 'accounts.importLiteAccount', params);
  }

  it("edits a site's Gigya schema, and a signed Gigya call honours it", async () => {
    await signIn(page, f.admins.owner);
    await openProvisioning(page);
    assert.equal((await importSigned({ zip: 'not a number' })).body.errorCode, 0, 'no zip field in the schema yet');

    await page.getByRole('button', { name: `Edit site ${f.gigya.site.name}` }).click();
    const editor = page.getByRole('form', { name: `Edit site ${f.gigya.site.name}` });
    const schema = editor.getByLabel(/^Schema \(JSON/);
    const current = JSON.parse(await schema.inputValue());
    await schema.fill(JSON.stringify({ ...current, profileSchema: { fields: { zip: { type: 'integer' } } } }, null, 2));
    await editor.getByRole('button', { name: 'Validate and save site' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Site ${f.gigya.site.name} saved (updated)` })
      .waitFor();

    const refused = await importSigned({ zip: 'not a number' });
    assert.equal(refused.body.errorCode, 400009, refused.raw);
    assert.match(refused.raw, /profile\.zip/);
    assert.equal((await importSigned({ zip: 4321 })).body.errorCode, 0);
    const site = await t.core.sites.resolve(f.gigya.tenant.id, f.gigya.site.name);
    assert.equal(await t.core.sites.gigyaSecret(site), f.gigya.siteSecret, 'the site secret, never shown, is kept');
  });

  it('refuses invalid input with the problem beside the field it concerns, saving nothing', async () => {
    await openProvisioning(page);
    await page.getByRole('button', { name: `Edit site ${f.gigya.site.name}` }).click();
    const editor = page.getByRole('form', { name: `Edit site ${f.gigya.site.name}` });
    const schema = editor.getByLabel(/^Schema \(JSON/);
    const before = await schema.inputValue();
    await schema.fill(JSON.stringify({ profileSchema: { fields: { zip: { type: 'number' } } } }));
    await editor.getByRole('button', { name: 'Validate and save site' }).click();
    await editor.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(await schema.getAttribute('aria-invalid'), 'true');
    const describedBy = (await schema.getAttribute('aria-describedby')) ?? '';
    const beside = editor.locator(`[id="${describedBy.split(' ').at(-1)}"]`);
    assert.match(await beside.innerText(), /profileSchema\/fields\/zip\/type/);

    // A Naviga client with a provider but no provider settings: the Naviga rule names the block.
    await editor.getByLabel('Naviga client').check();
    await editor.getByLabel('Client code').fill('RC');
    await editor.getByLabel('Paper code').fill('RP');
    await editor.getByLabel('Group code').fill('RG');
    await editor.getByLabel('User provider').selectOption('Auth0');
    await schema.fill(before);
    await editor.getByRole('button', { name: 'Validate and save site' }).click();
    await editor.getByRole('group', { name: 'Naviga' }).getByText('userProvider Auth0 needs a auth0 block').waitFor();
    await check('site-editor', { region: 'Sites' });
    const site = await t.core.sites.resolve(f.gigya.tenant.id, f.gigya.site.name);
    assert.equal(site.naviga, null, 'nothing saved');
  });

  it('creates a Naviga client with JWT and provider secrets that are shown only as set and kept', async () => {
    await openProvisioning(page);
    const sites = page.getByRole('region', { name: 'Sites' });
    await sites.getByRole('button', { name: 'New site' }).click();
    const form = sites.getByRole('form', { name: 'New site' });
    await form.getByLabel('Site name').fill('paper');
    await form.getByLabel(/^Gigya door/).uncheck();
    await form.getByLabel('Naviga client').check();
    await form.getByLabel('Client code').fill(`PC-${Date.now().toString(36)}`); // unique on a shared PostgreSQL database
    await form.getByLabel('Paper code').fill('PP');
    await form.getByLabel('Group code').fill('PG');
    const jwtSecret = 'a-console-jwt-secret-of-32-characters-or-more';
    await form.getByLabel('JWT secret (HS256)').fill(jwtSecret);
    await form.getByLabel('JWT issuer').fill('https://login.paper.example');
    await form.getByLabel('User provider').selectOption('SSOR');
    const ssor = { urlTemplate: 'https://ssor.paper.example/users?email={email}', headers: { 'X-Api-Key': 'ssor-header-secret' }, fields: { email: 'mail' } };
    await form.getByLabel(/^Provider settings/).fill(JSON.stringify(ssor));
    await form.getByRole('button', { name: 'Validate and create site' }).click();
    await page.getByRole('status').filter({ hasText: 'Site paper saved (created)' }).waitFor();

    await sites.getByRole('button', { name: 'Edit site paper' }).click();
    const edit = sites.getByRole('form', { name: 'Edit site paper' });
    assert.equal(await edit.getByLabel('JWT secret (HS256)').inputValue(), '');
    assert.equal(await edit.getByLabel('JWT secret (HS256)').getAttribute('placeholder'), 'set: leave empty to keep it');
    assert.match(await edit.getByLabel(/^Provider settings/).inputValue(), /"X-Api-Key": "\(set\)"/);
    const html = await page.content();
    assert.ok(!html.includes(jwtSecret) && !html.includes('ssor-header-secret'), 'no secret reaches the page');
    await edit.getByRole('button', { name: 'Validate and save site' }).click();
    await page.getByRole('status').filter({ hasText: 'Site paper saved (nothing changed)' }).waitFor();

    const stored = (await siteDocument(t.core, await t.core.sites.resolve(f.gigya.tenant.id, 'paper'))) as {
      naviga: { jwt: { secret: string }; ssor: typeof ssor };
    };
    assert.equal(stored.naviga.jwt.secret, jwtSecret);
    assert.equal(stored.naviga.ssor.headers['X-Api-Key'], 'ssor-header-secret');
  });

  it('"New site" with the name of an existing site is refused beside the name, and that site is left as it was', async () => {
    const before = await t.core.sites.resolve(f.gigya.tenant.id, 'paper');
    await openProvisioning(page);
    const sites = page.getByRole('region', { name: 'Sites' });
    await sites.getByRole('button', { name: 'New site' }).click();
    const form = sites.getByRole('form', { name: 'New site' });
    await form.getByLabel('Site name').fill('paper');
    await form.getByLabel(/^Person-facing pages/).fill('{"siteName": "Replaced"}');
    await form.getByRole('button', { name: 'Validate and create site' }).click();
    await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    const name = form.getByLabel('Site name');
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    const beside = form.locator(`[id="${((await name.getAttribute('aria-describedby')) ?? '').split(' ').at(-1)}"]`);
    assert.equal(await beside.innerText(), 'Site paper already exists: choose another name, or edit that site');
    assert.equal(await page.evaluate("document.activeElement.getAttribute('name')"), 'name', 'focus on the name');
    await check('site-exists', { region: 'Sites' });

    const after = await t.core.sites.resolve(f.gigya.tenant.id, 'paper');
    assert.deepEqual(after, before, 'its Naviga door, settings and update time unchanged');
    const stored = (await siteDocument(t.core, after)) as { naviga: { jwt: { secret: string } } };
    assert.equal(stored.naviga.jwt.secret, 'a-console-jwt-secret-of-32-characters-or-more', 'its sealed secrets kept');
  });

  it('adds a webhook whose test event arrives signed, keeps its secret through an edit, disables and deletes it', async () => {
    await openProvisioning(page);
    const webhooks = page.getByRole('region', { name: 'Webhooks' });
    await webhooks.getByRole('button', { name: 'New webhook' }).click();
    const form = webhooks.getByRole('form', { name: 'New webhook' });
    await form.getByLabel('Webhook name').fill('crm-console');
    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('Events').fill('account.updated, subscription.changed');
    await form.getByLabel('Signing secret').fill('console-secret');
    await form.getByRole('button', { name: 'Add webhook' }).click();
    await webhooks.getByRole('button', { name: 'Send test event to crm-console' }).click();
    await webhooks.getByText('delivered (HTTP 200)').waitFor();

    // "New webhook" with a name in use replaces nothing: the refusal names the webhook beside its name.
    await webhooks.getByRole('button', { name: 'New webhook' }).click();
    const again = webhooks.getByRole('form', { name: 'New webhook' });
    await again.getByLabel('Webhook name').fill('crm-console');
    await again.getByLabel('URL').fill('https://elsewhere.example/hook');
    await again.getByLabel('Signing secret').fill('another-secret');
    await again.getByRole('button', { name: 'Add webhook' }).click();
    await again.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await again.getByText('Webhook crm-console already exists: choose another name, or edit that webhook').first().waitFor();
    assert.equal(await again.getByLabel('Webhook name').getAttribute('aria-invalid'), 'true');
    assert.equal((await t.core.webhooks.get(f.gigya.tenant.id, 'crm-console')).url, receiver.url, 'the webhook is kept');
    await webhooks.getByRole('button', { name: 'Send test event to crm-console' }).click();
    await webhooks.getByText('delivered (HTTP 200)').waitFor();
    const verify = () => {
      const request = receiver.requests.at(-1);
      assert.ok(request);
      const timestamp = String(request.headers[ROSTER_TIMESTAMP_HEADER]);
      assert.equal(request.headers[ROSTER_SIGNATURE_HEADER], rosterSignature('console-secret', timestamp, request.body));
      return JSON.parse(request.body).events[0];
    };
    assert.equal(verify().type, 'account.updated');

    await webhooks.getByRole('button', { name: 'Edit crm-console' }).click();
    const edit = webhooks.getByRole('form', { name: 'Edit webhook crm-console' });
    await edit.getByLabel('Events').fill('*');
    await edit.getByRole('button', { name: 'Save webhook' }).click();
    await webhooks.getByRole('cell', { name: '*', exact: true }).waitFor();
    const count = receiver.requests.length;
    await webhooks.getByRole('button', { name: 'Send test event to crm-console' }).click();
    await webhooks.getByText('delivered (HTTP 200)').waitFor();
    assert.equal(receiver.requests.length, count + 1);
    verify(); // still signed with the secret typed once

    await webhooks.getByRole('button', { name: 'Disable crm-console' }).click();
    await webhooks.getByRole('button', { name: 'Enable crm-console' }).waitFor();
    assert.equal((await t.core.webhooks.get(f.gigya.tenant.id, 'crm-console')).enabled, false);
    await check('webhooks', 'none');
    page.once('dialog', (dialog) => dialog.accept());
    await webhooks.getByRole('button', { name: 'Delete crm-console' }).click();
    await page.getByRole('status').filter({ hasText: 'Webhook crm-console deleted' }).waitFor();
    assert.ok(!(await t.core.webhooks.list(f.gigya.tenant.id)).some((w) => w.name === 'crm-console'));
  });

  it('edits the double opt-in template with a live preview, and the real mail uses it', async () => {
    await openProvisioning(page);
    const templates = page.getByRole('region', { name: 'Templates' });
    await templates.getByLabel('Template', { exact: true }).selectOption('doi_confirmation');
    await templates.getByLabel('Language').selectOption('en');
    const preview = templates.locator('#template-preview');
    await preview.getByText('Subject: Please confirm your subscription').waitFor();
    await templates.getByLabel('Subject').fill('Confirm {{subscription}} for {{email}}');
    await templates.getByLabel('Text body').fill('One click and you get {{subscription}}: {{confirmUrl}}');
    await preview.getByText('Subject: Confirm news for ada.lovelace@example.com').waitFor();
    await preview.getByText(/One click and you get news: https:\/\/roster\.example\/doi\/confirm/).waitFor();
    assert.equal(await preview.locator('iframe[sandbox=""]').count(), 1, 'the HTML body in a sandboxed frame');

    // The HTML body as a mail client shows it: its <style>, its style= attributes and a remote image.
    await templates
      .getByLabel('HTML body')
      .fill(
        [
          '<style>.card { border-top: 6px solid #1f4e8c; padding: 4px 16px; font-family: Georgia, serif }</style>',
          `<div class="card"><img src="${images.url}/banner.svg" alt="Acme News" width="240" height="40">`,
          '<p style="color: rgb(31, 78, 140); font-size: 18px">Please confirm your subscription to {{subscription}}, {{email}}.</p>',
          '<p><a href="{{confirmUrl}}" style="background: #1f4e8c; color: #fff; padding: 8px 16px; border-radius: 6px; text-decoration: none">Confirm</a></p></div>',
        ].join(''),
      );
    const htmlBody = preview.frameLocator('iframe');
    const greeting = htmlBody.getByText('Please confirm your subscription to news, ada.lovelace@example.com.');
    await greeting.waitFor();
    assert.equal(await styleOf(greeting, 'color'), 'rgb(31, 78, 140)', 'a style= attribute applies');
    assert.equal(await styleOf(htmlBody.locator('.card'), 'borderTopWidth'), '6px', 'a <style> block applies');
    const banner = htmlBody.getByRole('img', { name: 'Acme News' });
    assert.equal(
      await banner.evaluate((img) =>
        (img as unknown as { decode(): Promise<void> }).decode().then(() => (img as unknown as { naturalWidth: number }).naturalWidth),
      ),
      240,
    );
    assert.ok(images.asked.includes('/banner.svg'), 'the remote image, loaded by the frame');
    assert.equal(await htmlBody.locator('script, form').count(), 0);
    assert.equal(await preview.getAttribute('aria-live'), null, 'the preview is not read aloud at each pause');
    await templates.getByRole('button', { name: 'Save template' }).click();
    await templates.getByText('Site override').waitFor();
    // The panel was redrawn under the keyboard: focus is on its heading, not dropped to <body>.
    assert.equal(await templates.locator('h2:focus').textContent(), 'Templates');
    await check('templates', { region: 'Templates' });

    // A new subscriber with double opt-in: the worker mails the confirmation with the saved template.
    const email = `doi.${Date.now()}@example.com`;
    const creds = { apiKey: f.gigya.apiKey, userKey: f.gigya.userKey, secret: f.gigya.secret };
    assert.equal((await call(t.app, 'accounts.importLiteAccount', { ...creds, email })).body.errorCode, 0);
    const account = await t.core.accounts.findByIdentifier(f.gigya.ctx, 'email', email);
    assert.ok(account);
    const set = await call(t.app, 'accounts.setAccountInfo', {
      ...creds,
      UID: account.uid,
      subscriptions: JSON.stringify({ news: { email: { isSubscribed: true } } }),
    });
    assert.equal(set.body.errorCode, 0, set.raw);
    const worker = testWorker(t.store, t.core, workerSettings({ tenants: [f.gigya.tenant.id] }));
    const mailbox = createDevMailbox(t.store.db);
    await runUntil(worker, async () => (await mailbox.list({ tenantId: f.gigya.tenant.id, recipient: email })).length > 0);
    await worker.stop();
    const [mail] = await mailbox.list({ tenantId: f.gigya.tenant.id, recipient: email });
    assert.equal(mail?.subject, `Confirm news for ${email}`);
    assert.match(mail?.text ?? '', /^One click and you get news: https?:\/\/\S+\/doi\/confirm\?token=/);

    await templates.getByRole('button', { name: 'Reset to default' }).click();
    await templates.getByText('Roster default').waitFor();
    await preview.getByText('Subject: Please confirm your subscription').waitFor();

    // A page text previews as the page a person sees: heading, message and button.
    await templates.getByLabel('Template', { exact: true }).selectOption('page_doi_confirm');
    await templates.getByLabel('Language').selectOption('nb');
    await preview.getByText('Bekreft abonnementet', { exact: true }).first().waitFor();
    await templates.getByLabel('Button label').fill('Ja takk');
    await preview.getByText('Ja takk', { exact: true }).waitFor();
  });

  it('creates a viewer admin (password shown once) who is refused edits', async () => {
    await page.getByRole('link', { name: 'Admins' }).click();
    await page.getByRole('heading', { name: 'Admins', level: 1 }).waitFor();
    const email = `viewer.console.${Date.now()}@example.com`;
    const form = page.getByRole('form', { name: 'New admin' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('viewer');
    await form.getByRole('button', { name: 'Add admin' }).click();
    const password = await page.locator('#new-admin-password').innerText();
    assert.ok(password.length >= 12);
    await page.getByRole('cell', { name: email, exact: true }).waitFor();
    await check('admins');

    const viewerContext = await browser.browser.newContext();
    const viewer = await viewerContext.newPage();
    await signIn(viewer, email, password);
    assert.equal(await viewer.getByRole('link', { name: 'Admins' }).count(), 0, 'no Admins page for a viewer');
    await openProvisioning(viewer);
    await viewer.getByRole('region', { name: 'Sites' }).getByText(f.gigya.site.name).waitFor();
    assert.equal(await viewer.getByRole('button', { name: /^Edit|New site|New webhook|Save template/ }).count(), 0);
    const refused = await viewer.evaluate(
      async ({ tenant, site }) => {
        const session = (await (await fetch('/admin/v1/session')).json()) as { csrfToken: string };
        const headers = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken };
        // Inline calls only: this function runs in the page, where the test's helpers do not exist.
        const statuses: number[] = [];
        for (const [path, body] of [
          [`/sites/${site}`, { gigya: {} }],
          ['/webhooks/x', { url: 'https://example.com', events: ['*'], secret: 'x' }],
          [`/sites/${site}/templates/doi_confirmation/en`, { text: 'x' }],
        ] as const) {
          statuses.push((await fetch(`/admin/v1/tenants/${tenant}${path}`, { method: 'PUT', headers, body: JSON.stringify(body) })).status);
        }
        statuses.push((await fetch('/admin/v1/admins', { headers })).status);
        return statuses;
      },
      { tenant: f.gigya.tenant.id, site: f.gigya.site.name },
    );
    assert.deepEqual(refused, [403, 403, 403, 403]);
    await viewerContext.close();

    // The owner disables the viewer (after a confirm: dismissed, nothing happens): its next sign-in fails.
    const questions: string[] = [];
    page.once('dialog', (dialog) => {
      questions.push(dialog.message());
      return dialog.dismiss();
    });
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    assert.match(questions[0] ?? '', /^Disable /);
    assert.equal((await t.core.adminIdentity.list()).find((a) => a.email === email)?.disabled, false);
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: `Disable ${email}` }).click();
    await page.getByRole('button', { name: `Enable ${email}` }).waitFor();
    assert.equal(await page.locator('h1:focus').textContent(), 'Admins', 'focus on the page heading after the redraw');
    const login = await t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email, password } });
    assert.equal(login.statusCode, 401);
  });

  it('creates a tenant (owner) and switches to it', async () => {
    await openProvisioning(page);
    // The server's reason shows beside the field it concerns.
    const tenantForm = page.getByRole('form', { name: 'New tenant' });
    await tenantForm.getByLabel('Tenant name').fill('   ');
    await tenantForm.getByRole('button', { name: 'Create tenant' }).click();
    await page.getByRole('region', { name: 'Tenants' }).getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    const field = tenantForm.getByLabel('Tenant name');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    const beside = tenantForm.locator(`[id="${((await field.getAttribute('aria-describedby')) ?? '').split(' ').at(-1)}"]`);
    assert.equal(await beside.innerText(), 'must not have fewer than 1 characters');

    const name = `console-tenant-${Date.now().toString(36)}`;
    await page.getByLabel('Tenant name').fill(name);
    await page.getByRole('button', { name: 'Create tenant' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Tenant ${name} created` })
      .waitFor();
    await page.locator('#tenant option:checked').filter({ hasText: name }).waitFor({ state: 'attached' });
    const tenant = await t.core.tenants.resolve(name);
    assert.equal(tenant.name, name);
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });
});
