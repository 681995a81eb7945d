import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminMay, type Core, createCore } from '../../src/core/index.js';
import { base32Encode, totpAt } from '../../src/core/totp.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import type { OpenedStore } from '../../src/store/index.js';
import { cryptoIds } from '../../src/system.js';
import { newTenant, openTestStore, testSecretBox } from '../helpers/store.js';

const from = { ip: '127.0.0.1', userAgent: 'test' };
let n = 0;
const email = () => `admin-${process.pid}-${Date.now().toString(36)}-${n++}@example.com`;

test('TOTP matches the RFC 6238 SHA-1 test vectors (last six digits)', () => {
  const secret = base32Encode(Buffer.from('12345678901234567890'));
  assert.equal(totpAt(secret, new Date(59_000)), '287082');
  assert.equal(totpAt(secret, new Date(1111111109_000)), '081804');
  assert.equal(totpAt(secret, new Date(2000000000_000)), '279037');
});

describe('admin identity', () => {
  let store: OpenedStore;
  let core: Core;
  let now = new Date('2026-03-01T10:00:00Z');
  before(async () => {
    store = await openTestStore();
    core = createCore({ store, clock: { now: () => now }, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
  });
  after(() => store.close());

  test('signs in with the password, keeps only a hash of the session token, and ends the session on logout', async () => {
    const address = email();
    const { user } = await core.adminIdentity.create({ email: address, password: 'correct horse battery', role: 'owner' });
    assert.equal(user.role, 'owner');
    const stored = await store.adminUsers.findByEmail(address);
    assert.match(stored?.passwordHash ?? '', /^\$argon2id\$/);

    const outcome = await core.adminIdentity.login(address.toUpperCase(), 'correct horse battery', undefined, from);
    assert.ok(outcome.ok);
    const rows = await store.db.selectFrom('admin_sessions').select('token_hash').where('admin_id', '=', user.id).execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.token_hash, outcome.token);
    assert.equal((await core.adminIdentity.authenticate(outcome.token))?.user.email, address);

    const csrf = core.adminIdentity.csrfToken(outcome.token);
    assert.ok(core.adminIdentity.verifyCsrf(outcome.token, csrf));
    assert.ok(!core.adminIdentity.verifyCsrf(outcome.token, `${csrf.slice(0, -1)}x`));
    assert.ok(!core.adminIdentity.verifyCsrf(outcome.token, undefined));

    await core.adminIdentity.logout(outcome.token);
    assert.equal(await core.adminIdentity.authenticate(outcome.token), undefined);
  });

  test('an unknown email and a wrong password get the same answer; five failures lock the admin', async () => {
    const address = email();
    await core.adminIdentity.create({ email: address, password: 'correct horse battery', role: 'owner' });
    assert.deepEqual(await core.adminIdentity.login(email(), 'whatever whatever', undefined, from), { ok: false, reason: 'invalid' });
    for (let i = 0; i < 5; i++) assert.deepEqual(await core.adminIdentity.login(address, 'wrong password!', undefined, from), { ok: false, reason: 'invalid' });
    // Locked: even the right password is refused until the lock ends.
    assert.deepEqual(await core.adminIdentity.login(address, 'correct horse battery', undefined, from), { ok: false, reason: 'locked' });
    now = new Date(now.getTime() + 16 * 60 * 1000);
    assert.ok((await core.adminIdentity.login(address, 'correct horse battery', undefined, from)).ok);
    const audit = await store.db.selectFrom('admin_audit').select('action').where('actor', '=', address).orderBy('id').execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['admin.login_failed', 'admin.login_failed', 'admin.login_failed', 'admin.login_failed', 'admin.locked', 'admin.login'],
    );
  });

  test('TOTP: required when enabled, checked against RFC 6238 codes', async () => {
    const address = email();
    const { totpSecret } = await core.adminIdentity.create({ email: address, password: 'correct horse battery', role: 'owner', totp: true });
    assert.ok(totpSecret);
    assert.deepEqual(await core.adminIdentity.login(address, 'correct horse battery', undefined, from), { ok: false, reason: 'totp_required' });
    const wrong = totpAt(totpSecret, new Date(now.getTime() + 10 * 60 * 1000));
    assert.deepEqual(await core.adminIdentity.login(address, 'correct horse battery', wrong, from), { ok: false, reason: 'totp_invalid' });
    assert.ok((await core.adminIdentity.login(address, 'correct horse battery', totpAt(totpSecret, now), from)).ok);
  });

  test('a session ends after 30 idle minutes and at its 12-hour limit; a password reset ends every session', async () => {
    const address = email();
    await core.adminIdentity.create({ email: address, password: 'correct horse battery', role: 'owner' });
    const first = await core.adminIdentity.login(address, 'correct horse battery', undefined, from);
    assert.ok(first.ok);
    now = new Date(now.getTime() + 31 * 60 * 1000);
    assert.equal(await core.adminIdentity.authenticate(first.token), undefined);

    const second = await core.adminIdentity.login(address, 'correct horse battery', undefined, from);
    assert.ok(second.ok);
    for (let i = 0; i < 25; i++) {
      now = new Date(now.getTime() + 29 * 60 * 1000);
      if (i < 24) assert.ok(await core.adminIdentity.authenticate(second.token), `alive at step ${i}`);
      else assert.equal(await core.adminIdentity.authenticate(second.token), undefined);
    }

    const third = await core.adminIdentity.login(address, 'correct horse battery', undefined, from);
    assert.ok(third.ok);
    await core.adminIdentity.resetPassword(address, 'another long password');
    assert.equal(await core.adminIdentity.authenticate(third.token), undefined);
    assert.deepEqual(await core.adminIdentity.login(address, 'correct horse battery', undefined, from), { ok: false, reason: 'invalid' });
  });

  test('roles: what each may do, and only in its tenants', async () => {
    const { tenant } = await newTenant(core, 'adm');
    const { tenant: other } = await newTenant(core, 'adm');
    const make = async (role: 'tenant_admin' | 'support' | 'viewer') =>
      (await core.adminIdentity.create({ email: email(), password: 'correct horse battery', role, tenantIds: [tenant.name] })).user;
    const admin = { kind: 'user' as const, user: await make('tenant_admin') };
    const support = { kind: 'user' as const, user: await make('support') };
    const viewer = { kind: 'user' as const, user: await make('viewer') };
    assert.ok(adminMay(admin, 'provisioning.write', tenant.id));
    assert.ok(!adminMay(admin, 'provisioning.write', other.id));
    assert.ok(!adminMay(admin, 'admins.manage'));
    assert.ok(adminMay(support, 'people.erase', tenant.id));
    assert.ok(!adminMay(support, 'people.edit', tenant.id));
    assert.ok(!adminMay(support, 'provisioning.write', tenant.id));
    assert.ok(adminMay(viewer, 'people.read', tenant.id));
    assert.ok(!adminMay(viewer, 'people.unsubscribe', tenant.id));
    await assert.rejects(core.adminIdentity.create({ email: email(), password: 'correct horse battery', role: 'viewer' }), /at least one tenant/);
    await assert.rejects(core.adminIdentity.create({ email: email(), password: 'short', role: 'owner' }), /at least 12/);
  });
});
