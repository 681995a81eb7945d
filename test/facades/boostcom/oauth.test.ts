import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/app.js';
import { type Core, createCore, registrationCodeAad } from '../../../src/core/index.js';
import { openMessageSecret } from '../../../src/core/message-secrets.js';
import type { AccountUid } from '../../../src/core/types.js';
import { PERMITS } from '../../../src/facades/boostcom/permits.js';
import { createDevMailbox } from '../../../src/messaging/mailbox.js';
import { argon2Hasher } from '../../../src/security/password-hasher.js';
import type { OpenedStore } from '../../../src/store/index.js';
import { cryptoIds } from '../../../src/system.js';
import { testConfig } from '../../helpers/app.js';
import { boostcom, newClub, OLA, type TestClub } from '../../helpers/boostcom.js';
import { runUntil, testWorker, workerSettings } from '../../helpers/events.js';
import { openTestStore, testSecretBox } from '../../helpers/store.js';

/** A clock the test moves: token expiry without waiting. */
let nowMs = Date.now();
const clock = { now: () => new Date(nowMs) };
let store: OpenedStore;
let core: Core;
let app: FastifyInstance;
let club: TestClub;

before(async () => {
  store = await openTestStore();
  core = createCore({ store, clock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
  app = await buildApp({ config: testConfig(), core, store });
  club = await newClub(core);
});
after(async () => {
  await app.close();
  await store.close();
});

const PASSWORD = 'Member-Pass-1';
let members = 0;

async function member(password: string | null = PASSWORD) {
  const n = members++;
  const properties = { ...OLA, email: `oauth-${n}@example.com`, msisdn: `479${String(1000000 + n).slice(1)}0` };
  const response = await boostcom(app, club, { method: 'POST', path: '/members', body: { properties, ...(password && { password }) } });
  assert.equal(response.statusCode, 201, response.body);
  return { id: response.json().id as number, email: properties.email, msisdn: properties.msisdn };
}

const token = (body: Record<string, unknown>, c: TestClub = club) => boostcom(app, c, { method: 'POST', path: '/members/oauth/token', body });
const me = (accessToken: string, method: 'GET' | 'PUT' | 'DELETE' = 'GET', body?: unknown) =>
  boostcom(app, club, { method, path: '/members/me', headers: { authorization: `Bearer ${accessToken}` }, ...(body !== undefined && { body }) });

describe('Boostcom members oauth/token (spec C.1)', () => {
  it('password grant by id, email and msisdn: 64-hex opaque tokens, 24 h / refresh, resource_owner_id; stored only hashed', async () => {
    const m = await member();
    for (const [identifier_type, identifier] of [
      ['id', m.id],
      ['email', m.email.toUpperCase()],
      ['msisdn', `+${m.msisdn}`],
    ] as const) {
      const response = await token({ grant_type: 'password', identifier_type, identifier, password: PASSWORD });
      assert.equal(response.statusCode, 200, `${identifier_type}: ${response.body}`);
      const body = response.json();
      assert.match(body.access_token, /^[0-9a-f]{64}$/);
      assert.match(body.refresh_token, /^[0-9a-f]{64}$/);
      assert.equal(body.token_type, 'bearer');
      assert.equal(body.expires_in, 86400);
      assert.equal(body.resource_owner_id, m.id);
      assert.equal(body.created_at, Math.floor(nowMs / 1000));
      const rows = await store.db.selectFrom('sessions').select(['token_hash', 'kind', 'expires_at']).where('tenant_id', '=', club.tenant.id).execute();
      assert.ok(!rows.some((r) => r.token_hash === body.access_token || r.token_hash === body.refresh_token), 'tokens are stored as hashes only');
      const refresh = rows.filter((r) => r.kind === 'refresh').map((r) => (r.expires_at as Date).getTime() - nowMs);
      assert.ok(refresh.includes(365 * 86400 * 1000), 'refresh tokens live a year');
    }
  });

  it('461 for an unknown member, a wrong password, a member without password; 422 for a bad grant or identifier_type', async () => {
    const m = await member();
    const none = await member(null);
    const wrong = await token({ grant_type: 'password', identifier_type: 'email', identifier: m.email, password: 'nope-nope' });
    assert.equal(wrong.statusCode, 461);
    assert.deepEqual(wrong.json(), { error: 'Either member could not be found or password is wrong' });
    const unknown = await token({ grant_type: 'password', identifier_type: 'email', identifier: 'nobody@example.com', password: PASSWORD });
    assert.equal(unknown.statusCode, 461);
    assert.deepEqual(unknown.json(), wrong.json(), 'one answer for unknown and wrong');
    assert.equal((await token({ grant_type: 'password', identifier_type: 'id', identifier: none.id, password: PASSWORD })).statusCode, 461);
    assert.equal((await token({ grant_type: 'password', identifier_type: 'id', identifier: 'abc', password: PASSWORD })).statusCode, 461);
    assert.equal((await token({ grant_type: 'client_credentials' })).statusCode, 422);
    assert.equal((await token({ grant_type: 'password', identifier_type: 'user', identifier: 'x', password: 'y' })).statusCode, 422);
    assert.equal((await token({ grant_type: 'password', identifier_type: 'email', identifier: m.email })).statusCode, 422);
    const external = await token({ grant_type: 'external_token', external_token: 'x', external_token_type: 'google' });
    assert.equal(external.statusCode, 422, 'no google provider configured for this club');
  });

  it('needs the OAuth permit (403) and the club headers like every route', async () => {
    const weak = await club.client([PERMITS.membersGet]);
    const response = await boostcom(app, club, { method: 'POST', path: '/members/oauth/token', token: weak, body: { grant_type: 'password' } });
    assert.equal(response.statusCode, 403);
  });

  it('refresh_token grant rotates: the old refresh token is used up (462), the new pair works; expiry by the injected clock', async () => {
    const m = await member();
    const first = (await token({ grant_type: 'password', identifier_type: 'id', identifier: m.id, password: PASSWORD })).json();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    const second = refreshed.json();
    assert.notEqual(second.access_token, first.access_token);
    assert.equal(second.resource_owner_id, m.id);
    const reused = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(reused.statusCode, 462);
    assert.deepEqual(reused.json(), { error: 'Invalid or expired refresh token' });
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: 'f'.repeat(64) })).statusCode, 462);
    assert.equal((await token({ grant_type: 'refresh_token' })).statusCode, 462);
    assert.equal((await me(second.access_token)).statusCode, 200);

    const info = await boostcom(app, club, { path: '/members/oauth/token/info', headers: { authorization: `Bearer ${second.access_token}` } });
    assert.equal(info.statusCode, 200, info.body);
    assert.deepEqual(info.json(), {
      resource_owner_id: m.id,
      scopes: [],
      expires_in_seconds: 86400,
      application: { uid: null },
      created_at: Math.floor(nowMs / 1000),
    });

    const start = nowMs;
    try {
      nowMs = start + 86400 * 1000 - 1000;
      assert.equal((await me(second.access_token)).statusCode, 200, 'one second before 24 h');
      nowMs = start + 86400 * 1000 + 1000;
      const expired = await me(second.access_token);
      assert.equal(expired.statusCode, 460);
      assert.deepEqual(expired.json(), { error: 'Invalid access token' });
      const late = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token });
      assert.equal(late.statusCode, 200, 'the refresh token outlives the access token');
      nowMs = start + 366 * 86400 * 1000;
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: late.json().refresh_token })).statusCode, 200, 'fresh refresh token');
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).statusCode, 462, 'used');
    } finally {
      nowMs = start;
    }
  });

  it('refresh tokens expire after a year (462)', async () => {
    const m = await member();
    const pair = (await token({ grant_type: 'password', identifier_type: 'id', identifier: m.id, password: PASSWORD })).json();
    const start = nowMs;
    try {
      nowMs = start + 365 * 86400 * 1000 + 1000;
      assert.equal((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode, 462);
    } finally {
      nowMs = start;
    }
  });

  it('revoke ends an access or refresh token and always answers {}; tokens of one club are 460 in another', async () => {
    const m = await member();
    const pair = (await token({ grant_type: 'password', identifier_type: 'id', identifier: m.id, password: PASSWORD })).json();
    const other = await newClub(core);
    const foreign = await boostcom(app, other, { path: '/members/me', headers: { authorization: `Bearer ${pair.access_token}` } });
    assert.equal(foreign.statusCode, 460);
    const foreignRevoke = await boostcom(app, other, { method: 'POST', path: '/members/oauth/revoke', body: { token: pair.access_token } });
    assert.deepEqual(foreignRevoke.json(), {});
    assert.equal((await me(pair.access_token)).statusCode, 200, 'another club cannot revoke it');
    for (const t of [pair.access_token, pair.refresh_token, 'unknown']) {
      const revoked = await boostcom(app, club, { method: 'POST', path: '/members/oauth/revoke', body: { token: t } });
      assert.equal(revoked.statusCode, 200);
      assert.deepEqual(revoked.json(), {});
    }
    assert.equal((await me(pair.access_token)).statusCode, 460);
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode, 462);
    const info = await boostcom(app, club, { path: '/members/oauth/token/info', headers: { authorization: `Bearer ${pair.access_token}` } });
    assert.equal(info.statusCode, 460);
  });
});

describe('Boostcom /me (spec C.2)', () => {
  const login = async (identifier: number, password = PASSWORD) => {
    const response = await token({ grant_type: 'password', identifier_type: 'id', identifier, password });
    assert.equal(response.statusCode, 200, response.body);
    return response.json() as { access_token: string; refresh_token: string };
  };

  it('460 without, with a malformed and with a refresh token as Bearer', async () => {
    const m = await member();
    const pair = await login(m.id);
    assert.equal((await boostcom(app, club, { path: '/members/me' })).statusCode, 460);
    assert.equal((await me('not a token')).statusCode, 460);
    assert.equal((await me(pair.refresh_token)).statusCode, 460);
  });

  it('get and merge-update the member, consents included', async () => {
    const m = await member();
    const pair = await login(m.id);
    const got = await me(pair.access_token);
    assert.equal(got.statusCode, 200, got.body);
    assert.equal(got.json().id, m.id);
    assert.equal(got.json().has_password, true);
    const updated = await me(pair.access_token, 'PUT', { properties: { first_name: 'Kari' }, consents: { consent1: { status: true } } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().properties.first_name, 'Kari');
    assert.equal(updated.json().properties.last_name, OLA.last_name);
    assert.equal(updated.json().consents.consent1.status, true);
    const stored = await boostcom(app, club, { path: `/members/${m.id}` });
    assert.equal(stored.json().properties.first_name, 'Kari');
    assert.equal(stored.json().consents.consent1.status, true);
    const invalid = await me(pair.access_token, 'PUT', { properties: { gender: 'other' } });
    assert.equal(invalid.statusCode, 422);
  });

  it('update_password: 464 on a wrong current password, 422 on a weak one; other tokens end, the new password logs in', async () => {
    const m = await member();
    const pair = await login(m.id);
    const other = await login(m.id);
    const put = (path: string, body: unknown) => boostcom(app, club, { method: 'PUT', path, headers: { authorization: `Bearer ${pair.access_token}` }, body });
    const wrong = await put('/members/me/update_password', { current_password: 'wrong-one', password: 'New-Pass-22' });
    assert.equal(wrong.statusCode, 464);
    assert.deepEqual(wrong.json(), { error: 'Current password is wrong' });
    const weak = await put('/members/me/update_password', { current_password: PASSWORD, password: 'x' });
    assert.equal(weak.statusCode, 422);
    assert.deepEqual(weak.json(), { password: [{ property: 'password', error: 'minimum_string_length' }] });
    const done = await put('/members/update_password', { current_password: PASSWORD, password: 'New-Pass-22' });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), {});
    assert.equal((await me(pair.access_token)).statusCode, 200, 'the token that changed it stays');
    assert.equal((await me(other.access_token)).statusCode, 460, 'other tokens end');
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: other.refresh_token })).statusCode, 462);
    assert.equal((await token({ grant_type: 'password', identifier_type: 'id', identifier: m.id, password: PASSWORD })).statusCode, 461);
    await login(m.id, 'New-Pass-22');
  });

  it('destroy removes the member and every token of it', async () => {
    const m = await member();
    const pair = await login(m.id);
    const gone = await me(pair.access_token, 'DELETE');
    assert.equal(gone.statusCode, 200, gone.body);
    assert.equal(gone.json().id, m.id);
    assert.equal((await boostcom(app, club, { path: `/members/${m.id}` })).statusCode, 404);
    assert.equal((await me(pair.access_token)).statusCode, 460);
    assert.equal((await token({ grant_type: 'refresh_token', refresh_token: pair.refresh_token })).statusCode, 462);
  });
});

describe('Boostcom password reset (spec C.3)', () => {
  it('send_password_reset_token queues the mail ({} also for nobody); verify_token; reset_password with 463 and 422', async () => {
    const m = await member();
    const sent = await boostcom(app, club, { method: 'POST', path: `/members/by_email/${m.email}/send_password_reset_token` });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.deepEqual(sent.json(), {});
    const uid = (await core.members.find(club.ctx, { kind: 'id', value: m.id }))?.uid as AccountUid;
    const events = await store.outbox.listForAccount(club.tenant.id, uid);
    assert.ok(events.some((e) => e.event.type === 'account.password_reset_requested'));
    const nobody = await boostcom(app, club, { method: 'POST', path: '/members/by_email/nobody@example.com/send_password_reset_token' });
    assert.deepEqual(nobody.json(), {});

    // The mailed token is sealed in the outbox; a server-side request gives this test a token (and ends the mailed one).
    const started = await core.credentials.requestPasswordReset(club.ctx, club.site, m.email, { send: false });
    assert.equal(started.kind, 'ok');
    const resetToken = started.kind === 'ok' ? started.token : '';
    const other = await member();
    const verify = (email: string, t: string, type = 'password_reset') =>
      boostcom(app, club, { path: `/members/by_email/${email}/verify_token/${type}/${encodeURIComponent(t)}` });
    assert.deepEqual((await verify(m.email, resetToken)).json(), { valid: true });
    assert.deepEqual((await verify(other.email, resetToken)).json(), { valid: false }, 'another member’s email');
    assert.deepEqual((await verify(m.email, 'nope')).json(), { valid: false });
    assert.equal((await verify(m.email, resetToken, 'msisdn')).statusCode, 400);

    const reset = (email: string, body: unknown) => boostcom(app, club, { method: 'PUT', path: `/members/by_email/${email}/reset_password`, body });
    assert.equal((await reset(m.email, { password: 'Reset-Pass-1' })).statusCode, 400);
    assert.equal((await reset('nobody@example.com', { password: 'Reset-Pass-1', token: resetToken })).statusCode, 404);
    const foreign = await reset(other.email, { password: 'Reset-Pass-1', token: resetToken });
    assert.equal(foreign.statusCode, 463, 'a token only resets its own member');
    assert.deepEqual(foreign.json(), { error: 'Invalid token' });
    assert.equal((await reset(m.email, { password: 'x', token: resetToken })).statusCode, 422);
    const done = await reset(m.email, { password: 'Reset-Pass-1', token: resetToken });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), {});
    assert.equal((await reset(m.email, { password: 'Reset-Pass-2', token: resetToken })).statusCode, 463, 'single use');
    assert.equal((await token({ grant_type: 'password', identifier_type: 'email', identifier: m.email, password: 'Reset-Pass-1' })).statusCode, 200);
  });
});

describe('Boostcom one-time passwords (spec C.3)', () => {
  const sealedCodes = async (m: { id: number }) => {
    const uid = (await core.members.find(club.ctx, { kind: 'id', value: m.id }))?.uid as AccountUid;
    const events = await store.outbox.listForAccount(club.tenant.id, uid);
    return events
      .filter((e) => e.event.type === 'member.one_time_password_requested')
      .map((e) => {
        const payload = e.event.payload as { sealedCode: string; channel: string; to: string };
        return { ...payload, code: openMessageSecret(testSecretBox, club.tenant.id, uid, 'one-time-password', payload.sealedCode) };
      });
  };
  const grant = (m: { id: number }, password: string) => token({ grant_type: 'password', identifier_type: 'id', identifier: m.id, password });

  it('an SMS code (4 digits) logs in once; a newer code ends the older; 404 for nobody; it expires after an hour', async () => {
    const m = await member();
    const sent = await boostcom(app, club, { method: 'POST', path: `/members/by_msisdn/${m.msisdn}/send_one_time_password_via_sms` });
    assert.equal(sent.statusCode, 200, sent.body);
    assert.deepEqual(sent.json(), {});
    const [first] = await sealedCodes(m);
    assert.ok(first);
    assert.match(first.code, /^\d{4}$/);
    assert.equal(first.channel, 'sms');
    assert.equal(first.to, m.msisdn);
    await boostcom(app, club, { method: 'POST', path: `/members/by_msisdn/${m.msisdn}/send_one_time_password` });
    const second = (await sealedCodes(m)).find((c) => c.sealedCode !== first.sealedCode);
    assert.ok(second);
    if (second.code !== first.code) assert.equal((await grant(m, first.code)).statusCode, 461, 'the older code ended');
    const ok = await grant(m, second.code);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().resource_owner_id, m.id);
    assert.equal((await grant(m, second.code)).statusCode, 461, 'single use');
    const nobody = await boostcom(app, club, { method: 'POST', path: '/members/by_msisdn/4799999999/send_one_time_password_via_sms' });
    assert.equal(nobody.statusCode, 404);

    await boostcom(app, club, { method: 'POST', path: `/members/by_msisdn/${m.msisdn}/send_one_time_password_via_sms` });
    const third = (await sealedCodes(m)).at(-1);
    const start = nowMs;
    try {
      nowMs = start + 3601_000;
      assert.equal((await grant(m, third?.code ?? '')).statusCode, 461, 'expired');
    } finally {
      nowMs = start;
    }
  });

  it('a registration password signs the member in once (password grant by msisdn)', async () => {
    const m = await member();
    await boostcom(app, club, { method: 'POST', path: `/members/by_msisdn/${m.msisdn}/send_registration_password` });
    const rows = await store.db
      .selectFrom('outbox_events')
      .select(['payload'])
      .where('tenant_id', '=', club.tenant.id)
      .where('type', '=', 'member.registration_password_requested')
      .orderBy('seq', 'desc')
      .execute();
    const payload = rows.map((r) => (r.payload as { payload: { to: string; sealedCode: string } }).payload).find((p) => p.to === m.msisdn);
    assert.ok(payload);
    const code = testSecretBox.open(payload.sealedCode, registrationCodeAad(club.tenant.id, 'msisdn', m.msisdn));
    const byMsisdn = (password: string) => token({ grant_type: 'password', identifier_type: 'msisdn', identifier: m.msisdn, password });
    const ok = await byMsisdn(code);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().resource_owner_id, m.id);
    assert.equal((await byMsisdn(code)).statusCode, 461, 'used up');
  });

  it('an email code (16 digits) arrives through the messaging worker with the login_url link; failed logins end the codes', async () => {
    const m = await member();
    const sent = await boostcom(app, club, {
      method: 'POST',
      path: `/members/by_email/${m.email}/send_one_time_password_via_email?login_url=${encodeURIComponent('https://app.example/login')}`,
    });
    assert.equal(sent.statusCode, 200, sent.body);
    const worker = testWorker(store, core, workerSettings({ tenants: [club.tenant.id] }));
    const mailbox = createDevMailbox(store.db);
    await runUntil(worker, async () => (await mailbox.list({ tenantId: club.tenant.id })).some((mail) => mail.recipient === m.email));
    await worker.stop();
    const mail = (await mailbox.list({ tenantId: club.tenant.id })).find((x) => x.recipient === m.email);
    const link = /https:\/\/app\.example\/login\?otp=(\d{16})/.exec(mail?.text ?? '');
    assert.ok(link, mail?.text ?? 'no mail');
    const code = link[1] as string;
    for (let i = 0; i < 5; i++) assert.equal((await grant(m, '0000000000000000')).statusCode, 461);
    assert.equal((await grant(m, code)).statusCode, 461, 'five failed logins ended the code');
    assert.equal((await grant(m, PASSWORD)).statusCode, 200, 'the password still works');
  });
});
