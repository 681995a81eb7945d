import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { AccountView, AdminRole } from '../../src/core/index.js';
import type { TestApp } from './app.js';
import { call, type GigyaFixture, gigyaFixture } from './gigya.js';

let counter = 0;
export const ADMIN_PASSWORD = 'correct horse battery staple';

const schema = { subscriptionsSchema: { fields: { news: { email: { type: 'subscription', doubleOptIn: true } } } } };

export interface ConsoleFixture {
  gigya: GigyaFixture;
  person: AccountView;
  /** One admin email per role; owner is not limited to the tenant. */
  admins: Record<AdminRole, string>;
}

/**
 * A tenant with a Gigya site and one person with a whole consent story told through the Gigya
 * API: imported as a lite account, subscribed to "news" with double opt-in confirmed by a click,
 * the terms consent granted at version 1 and again at version 2; plus an admin of each role.
 */
export async function consoleFixture(t: TestApp, email = `ada.${counter}@example.com`): Promise<ConsoleFixture> {
  const gigya = await gigyaFixture(t.core, { settings: { gigya: { schema } } });
  const creds = (extra: Record<string, string>) => ({ apiKey: gigya.apiKey, userKey: gigya.userKey, secret: gigya.secret, ...extra });
  const imported = await call(
    t.app,
    'accounts.importLiteAccount',
    creds({
      email,
      profile: JSON.stringify({ firstName: 'Ada', lastName: 'Lovelace' }),
      preferences: JSON.stringify({ terms: { isConsentGranted: true, docVersion: 1 } }),
    }),
  );
  assert.equal(imported.body.errorCode, 0, imported.raw);
  const account = await t.core.accounts.findByIdentifier(gigya.ctx, 'email', email);
  assert.ok(account);
  const set = await call(
    t.app,
    'accounts.setAccountInfo',
    creds({
      UID: account.uid,
      subscriptions: JSON.stringify({ news: { email: { isSubscribed: true } } }),
      preferences: JSON.stringify({ terms: { isConsentGranted: true, docVersion: 2 } }),
    }),
    { headers: { 'user-agent': 'Signup-Form/1.0' } },
  );
  assert.equal(set.body.errorCode, 0, set.raw);
  const request = (await t.store.outbox.listForAccount(gigya.tenant.id, account.uid)).find((e) => e.event.type === 'subscription.confirmation_requested');
  assert.ok(request);
  const link = await t.core.doubleOptIn.confirmationToken(gigya.ctx, request.id);
  assert.ok(link);
  // The person presses the confirm button of the link's page: a POST of the token (GET only shows the page).
  const click = await t.app.inject({
    method: 'POST',
    url: '/doi/confirm',
    payload: `token=${encodeURIComponent(link.token)}`,
    headers: { 'user-agent': 'Mail-Client/2.0', 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(click.statusCode, 200);

  const admins = {} as Record<AdminRole, string>;
  for (const role of ['owner', 'tenant_admin', 'support', 'viewer'] as const) {
    const address = `${role.replace('_', '-')}.${process.pid}.${counter}@example.com`;
    await t.core.adminIdentity.create({ email: address, password: ADMIN_PASSWORD, role, ...(role !== 'owner' && { tenantIds: [gigya.tenant.id] }) });
    admins[role] = address;
  }
  counter++;
  return { gigya, person: await t.core.accounts.get(gigya.ctx, account.uid), admins };
}

/** Signs in through the API; returns the cookie and CSRF token a browser would hold. */
export async function signIn(t: TestApp, email: string): Promise<{ cookie: string; csrf: string; response: LightMyRequestResponse }> {
  const response = await t.app.inject({ method: 'POST', url: '/admin/v1/session', payload: { email, password: ADMIN_PASSWORD } });
  assert.equal(response.statusCode, 200, response.body);
  const setCookie = String(response.headers['set-cookie']);
  return { cookie: setCookie.split(';')[0] as string, csrf: response.json().csrfToken, response };
}
