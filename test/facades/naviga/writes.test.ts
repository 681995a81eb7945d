import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AccountUid } from '../../../src/core/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { headersFor, hsToken, type NavigaClient, provisionClient } from './fixtures.js';

describe('naviga v4 writes (spec B): create, authenticate, update, password, email, forgot password, verification', () => {
  let t: TestApp;
  let client: NavigaClient;
  before(async () => {
    t = await buildTestApp();
    client = await provisionClient(t.core);
  });
  after(() => t.close());

  const send = async (method: 'POST' | 'PUT' | 'PATCH' | 'GET', url: string, body?: unknown, c: NavigaClient = client, token?: string) =>
    t.app.inject({
      method,
      url,
      headers: { ...(await headersFor(c, token)), ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });

  const PASSWORD = 'Naviga-Pass-1';

  it('creates a user with a password (S200_03, Standard, data = the user) and authenticates it (S200_06)', async () => {
    const created = await send('POST', '/v4/Users', { Email: 'Create@Example.com', Password: PASSWORD, firstName: 'Nina', lastName: 'Navi' });
    assert.equal(created.statusCode, 200, created.body);
    const body = created.json();
    assert.deepEqual(body.message, { code: 'UsersOrchestrator_S200_03', text: 'Create completed.', type: 'Success' });
    assert.equal(body.data.email, 'create@example.com');
    assert.equal(body.data.firstName, 'Nina');
    assert.equal(body.data.state, 'Standard');
    assert.equal(body.meta, null);
    const read = await send('GET', `/v4/Users/${body.data.customerRegistrationId}/`);
    assert.equal(read.json().data[0].email, 'create@example.com', 'the GET shape reads the same user');

    const auth = await send('POST', '/v4/Users/Authentication', { loginName: 'create@example.com', password: PASSWORD });
    assert.equal(auth.statusCode, 200, auth.body);
    assert.equal(auth.json().message.code, 'UsersOrchestrator_S200_06');
    assert.equal(auth.json().data.customerRegistrationId, body.data.customerRegistrationId);

    const wrong = await send('POST', '/v4/Users/Authentication', { loginName: 'create@example.com', password: 'wrong-password' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(wrong.json(), {
      message: { code: 'UsersOrchestrator_E400_04', text: 'Invalid login name or password.', type: 'Error' },
      data: null,
      meta: null,
    });
    const unknown = await send('POST', '/v4/Users/Authentication', { loginName: 'nobody@example.com', password: PASSWORD });
    assert.deepEqual(unknown.json(), wrong.json(), 'one answer for unknown and wrong');
    const missing = await send('POST', '/v4/Users/Authentication', { loginName: 'create@example.com' });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().message.code, 'UsersOrchestrator_E400_00');
    assert.match(missing.json().message.text, /^Invalid InputModel - /);
  });

  it('refuses a taken email (E400_08), a bad email and a weak password (E400_00); needs the JWT (401)', async () => {
    await send('POST', '/v4/Users', { email: 'taken@example.com', password: PASSWORD });
    const taken = await send('POST', '/v4/Users', { email: 'TAKEN@example.com', password: PASSWORD });
    assert.equal(taken.statusCode, 400);
    assert.equal(taken.json().message.code, 'UsersOrchestrator_E400_08');
    assert.equal(taken.json().message.text, 'The email is already in use by another user');
    const bad = await send('POST', '/v4/Users', { email: 'not-an-email', password: PASSWORD });
    assert.equal(bad.json().message.code, 'UsersOrchestrator_E400_00');
    const weak = await send('POST', '/v4/Users', { email: 'weak@example.com', password: 'x' });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.json().message.text, /^Invalid InputModel - Password must be at least 6/);
    const noJwt = await send(
      'POST',
      '/v4/Users',
      { email: 'jwt@example.com', password: PASSWORD },
      client,
      await hsToken({}, 'another-secret-that-is-long-enough-0123456789'),
    );
    assert.equal(noJwt.statusCode, 401);
    const notCreated = await send('GET', '/v4/Users?email=jwt@example.com');
    assert.equal(notCreated.json().data.length, 0);
  });

  it('passwordless create gives a Lite user that cannot authenticate until a create with a password completes it', async () => {
    const created = await send('POST', '/v4/Users', { email: 'lite@example.com', firstName: 'Lite' });
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.json().data.state, 'Lite');
    const auth = await send('POST', '/v4/Users/Authentication', { loginName: 'lite@example.com', password: PASSWORD });
    assert.equal(auth.json().message.code, 'UsersOrchestrator_E400_04');
    const again = await send('POST', '/v4/Users', { email: 'lite@example.com', password: PASSWORD });
    assert.equal(again.statusCode, 200, 'a Lite user is completed by a create with a password');
    assert.equal(again.json().data.state, 'Standard');
    assert.equal(again.json().data.customerRegistrationId, created.json().data.customerRegistrationId);
  });

  it("a passwordless create of an email that has an account is E400_08 and leaves that person's profile as it was (Lite or full)", async () => {
    const owner = await send('POST', '/v4/Users', { email: 'lite-owner@example.com', firstName: 'Owner', lastName: 'Lite' });
    assert.equal(owner.statusCode, 200, owner.body);
    const id = owner.json().data.customerRegistrationId as AccountUid;
    const codes = async () => (await t.store.outbox.listForAccount(client.tenant.id, id)).filter((e) => e.event.type === 'account.vendor_event').length;
    const before = await codes();
    const again = await send('POST', '/v4/Users', { email: 'Lite-Owner@example.com', firstName: 'Intruder' });
    assert.equal(again.statusCode, 400, again.body);
    assert.equal(again.json().message.code, 'UsersOrchestrator_E400_08');
    const read = (await send('GET', `/v4/Users/${id}`)).json().data[0];
    assert.deepEqual([read.firstName, read.lastName, read.state], ['Owner', 'Lite', 'Lite']);
    assert.equal(await codes(), before, 'no 4002 for a create that created nobody');

    await send('POST', '/v4/Users', { email: 'full-owner@example.com', password: PASSWORD, firstName: 'Full' });
    const full = await send('POST', '/v4/Users', { email: 'full-owner@example.com', firstName: 'Intruder' });
    assert.equal(full.json().message.code, 'UsersOrchestrator_E400_08');
  });

  it('update (S200_04) keeps omitted fields; change password (S200_05) ends the old password', async () => {
    const id = (await send('POST', '/v4/Users', { email: 'update@example.com', password: PASSWORD, firstName: 'Una', lastName: 'Up' })).json().data
      .customerRegistrationId;
    const updated = await send('PUT', `/v4/Users/${id}/`, { FirstName: 'Ulla' });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().message.code, 'UsersOrchestrator_S200_04');
    assert.equal(updated.json().data.firstName, 'Ulla');
    assert.equal(updated.json().data.lastName, 'Up');
    const unverified = await send('PUT', `/v4/Users/${id}`, { verified: false });
    assert.equal(unverified.json().data.verified, false);

    const weak = await send('PATCH', `/v4/Users/${id}/Password`, { password: 'x' });
    assert.equal(weak.json().message.code, 'UsersOrchestrator_E400_00');
    const changed = await send('PATCH', `/v4/Users/${id}/Password`, { password: 'Changed-Pass-2' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json(), {
      message: { code: 'UsersOrchestrator_S200_05', text: 'Change Password completed.', type: 'Success' },
      data: null,
      meta: null,
    });
    assert.equal((await send('POST', '/v4/Users/Authentication', { loginName: 'update@example.com', password: PASSWORD })).statusCode, 400);
    assert.equal((await send('POST', '/v4/Users/Authentication', { loginName: 'update@example.com', password: 'Changed-Pass-2' })).statusCode, 200);
  });

  it('change email (S200_12): the new email logs in, the user is unverified until the mailed token confirms it', async () => {
    await send('POST', '/v4/Users', { email: 'other-owner@example.com', password: PASSWORD });
    const id = (await send('POST', '/v4/Users', { email: 'old@example.com', password: PASSWORD })).json().data.customerRegistrationId;
    const taken = await send('PATCH', `/v4/Users/${id}/Email`, { email: 'other-owner@example.com' });
    assert.equal(taken.json().message.code, 'UsersOrchestrator_E400_08');
    const changed = await send('PATCH', `/v4/Users/${id}/Email`, { email: 'New@Example.com' });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().message.code, 'UsersOrchestrator_S200_12');
    assert.equal(changed.json().data.email, 'new@example.com');
    assert.equal(changed.json().data.verified, false);
    assert.equal((await send('POST', '/v4/Users/Authentication', { loginName: 'new@example.com', password: PASSWORD })).statusCode, 200);
    assert.equal((await send('POST', '/v4/Users/Authentication', { loginName: 'old@example.com', password: PASSWORD })).statusCode, 400);
    const events = await t.store.outbox.listForAccount(client.tenant.id, id);
    assert.ok(events.some((e) => e.event.type === 'account.email_verification_requested'));
    const bad = await send('POST', '/v4/Users/VerifyEmail', { token: 'nope' });
    assert.equal(bad.json().message.code, 'UsersOrchestrator_E400_06');
  });

  it('forgot password: start (S200_08, encryptedEventId; same answer for nobody), validate (S200_09), finish (S200_10) once (E400_06)', async () => {
    const id = (await send('POST', '/v4/Users', { email: 'forgot@example.com', password: PASSWORD })).json().data.customerRegistrationId;
    const start = await send('POST', '/v4/Users/ForgotPassword', { loginName: 'forgot@example.com', returnUrl: 'https://paper.example/reset' });
    assert.equal(start.statusCode, 200, start.body);
    assert.deepEqual(start.json().message, { code: 'UsersOrchestrator_S200_08', text: 'Start ForgotPassword completed.', type: 'Success' });
    assert.equal(start.json().meta, null);
    const eventId = start.json().data.encryptedEventId as string;
    const nobody = await send('POST', '/v4/Users/ForgotPassword', { loginName: 'nobody@example.com' });
    assert.equal(nobody.statusCode, 200);
    assert.equal(typeof nobody.json().data.encryptedEventId, 'string');
    const nobodyValidate = await send('GET', `/v4/Users/ForgotPassword?encryptedEventId=${encodeURIComponent(nobody.json().data.encryptedEventId)}`);
    assert.equal(nobodyValidate.json().message.code, 'UsersOrchestrator_E400_06');

    const validated = await send('GET', `/v4/Users/ForgotPassword?EncryptedEventId=${encodeURIComponent(eventId)}`);
    assert.equal(validated.statusCode, 200, validated.body);
    assert.equal(validated.json().message.code, 'UsersOrchestrator_S200_09');
    assert.equal(validated.json().data.customerRegistrationId, id);
    assert.match(validated.json().data.eventId, /^[0-9a-f]{32}$/);

    const foreign = await provisionClient(t.core);
    const elsewhere = await send('GET', `/v4/Users/ForgotPassword?encryptedEventId=${encodeURIComponent(eventId)}`, undefined, foreign);
    assert.equal(elsewhere.json().message.code, 'UsersOrchestrator_E400_06', 'sealed per tenant');

    const weak = await send('PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'x' });
    assert.equal(weak.json().message.code, 'UsersOrchestrator_E400_00');
    const finished = await send('PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'Forgot-Pass-2' });
    assert.equal(finished.statusCode, 200, finished.body);
    assert.equal(finished.json().message.code, 'UsersOrchestrator_S200_10');
    const reused = await send('PUT', '/v4/Users/ForgotPassword', { encryptedEventId: eventId, password: 'Forgot-Pass-3' });
    assert.equal(reused.json().message.code, 'UsersOrchestrator_E400_06');
    assert.equal((await send('POST', '/v4/Users/Authentication', { loginName: 'forgot@example.com', password: 'Forgot-Pass-2' })).statusCode, 200);
  });

  it('verifyEmail=true: data null, the user is Unverified until the mailed token; codes are configurable per client', async () => {
    const custom = await provisionClient(t.core, { codes: { authenticated: { code: 'UsersOrchestrator_S200_07', text: 'Authenticated.' } } });
    const created = await send('POST', '/v4/Users', { email: 'verify@example.com', password: PASSWORD, verifyEmail: true }, custom);
    assert.equal(created.statusCode, 200, created.body);
    assert.equal(created.json().data, null);
    const read = await send('GET', '/v4/Users?email=verify@example.com', undefined, custom);
    assert.equal(read.json().data[0].state, 'Unverified');
    const auth = await send('POST', '/v4/Users/Authentication', { loginName: 'verify@example.com', password: PASSWORD }, custom);
    assert.equal(auth.statusCode, 200, auth.body);
    assert.deepEqual(auth.json().message, { code: 'UsersOrchestrator_S200_07', text: 'Authenticated.', type: 'Success' });
  });

  it('a malformed body, an array body, a long id and an unknown id are 400s in the v4 envelope, never 500', async () => {
    const notJson = await t.app.inject({
      method: 'POST',
      url: '/v4/Users/Authentication',
      headers: { ...(await headersFor(client)), 'content-type': 'application/json' },
      payload: '{"loginName":',
    });
    assert.equal(notJson.statusCode, 400, notJson.body);
    assert.equal(notJson.json().data, null);
    const array = await send('POST', '/v4/Users', [{ email: 'array@example.com' }]);
    assert.equal(array.statusCode, 400, array.body);
    assert.equal(array.json().message.code, 'UsersOrchestrator_E400_00');
    const wrongType = await send('POST', '/v4/Users', { email: 42, password: PASSWORD });
    assert.equal(wrongType.json().message.code, 'UsersOrchestrator_E400_00');
    const long = await send('PATCH', `/v4/Users/${'a'.repeat(200)}/Password`, { password: 'Long-Id-Pass-1' });
    // Path parameters up to 2,048 characters reach the route (docs/limits.md); the id's own limit answers in the envelope.
    assert.equal(long.statusCode, 400, long.body);
    assert.match(long.json().message.code, /^UsersOrchestrator_E400/);
    const unknown = await send('PATCH', `/v4/Users/${'0'.repeat(32)}/Password`, { password: 'Unknown-Pass-1' });
    assert.equal(unknown.statusCode, 400, unknown.body);
  });

  it('lists the write routes in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/v4/openapi.json' })).json();
    for (const path of [
      '/v4/Users/Authentication',
      '/v4/Users/ForgotPassword',
      '/v4/Users/{customerRegistrationId}/Password',
      '/v4/Users/{customerRegistrationId}/Email',
      '/v4/Users/VerificationCode',
      '/v4/Users/Verification',
      '/v4/Users/VerifyEmail',
    ]) {
      assert.ok(doc.paths[path], path);
    }
    assert.ok(doc.paths['/v4/Users'].post);
    assert.ok(
      doc.paths['/v4/Users'].get.parameters.some((p: { name: string; in: string }) => p.name === 'token' && p.in === 'query'),
      'Get By Token is documented',
    );
    assert.match(doc.paths['/v4/Users/Authentication'].post.description, /token/);
  });
});
