import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { call, type GigyaFixture, gigyaFixture } from '../../helpers/gigya.js';

let t: TestApp;
before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
});

const IMPORT = 'accounts.importFullAccount';
const creds = (f: GigyaFixture) => ({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret });

async function storedHash(f: GigyaFixture, uid: string): Promise<string | null> {
  const row = await t.store.db.selectFrom('accounts').select('password_hash').where('tenant_id', '=', f.tenant.id).where('uid', '=', uid).executeTakeFirst();
  return row?.password_hash ?? null;
}

/** Gigya password objects as an export carries them, each for the password beside it (published vectors, see test/core/password-hashes.test.ts). */
const FORMATS: Array<{ name: string; password: string; object: Record<string, unknown> }> = [
  { name: 'md5 hex (converted)', password: 'abc', object: { hashedPassword: '900150983cd24fb0d6963f7d28e17f72', hashSettings: { algorithm: 'md5' } } },
  {
    name: 'sha1 with Base64 salt',
    password: 'ab',
    object: {
      hashedPassword: Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex').toString('base64'),
      hashSettings: { algorithm: 'sha1', salt: 'Yw==' },
    },
  },
  {
    name: 'sha256 with format $salt$password',
    password: 'bc',
    object: {
      hashedPassword: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      hashSettings: { algorithm: 'sha256', salt: 'a', format: '$salt$password' },
    },
  },
  {
    name: 'sha512',
    password: 'abc',
    object: {
      hashedPassword: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
      hashSettings: { algorithm: 'sha512' },
    },
  },
  {
    name: 'pbkdf2',
    password: 'password',
    object: {
      hashedPassword: Buffer.from('4b007901b765489abead49d926f721d065a429c1', 'hex').toString('base64'),
      hashSettings: { algorithm: 'pbkdf2', salt: 'c2FsdA==', rounds: 4096 },
    },
  },
  {
    name: 'pbkdf2_sha256',
    password: 'passwd',
    object: {
      hashedPassword: Buffer.from(
        '55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783',
        'hex',
      ).toString('base64'),
      hashSettings: { algorithm: 'pbkdf2_sha256', salt: 'c2FsdA==', rounds: 1 },
    },
  },
  {
    name: 'pbkdf2_sha512',
    password: 'password',
    object: {
      hashedPassword: Buffer.from(
        '867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce',
        'hex',
      ).toString('base64'),
      hashSettings: { algorithm: 'pbkdf2_sha512', salt: 'c2FsdA==', rounds: 1 },
    },
  },
  { name: 'bcrypt (compound)', password: 'U*U', object: { compoundHashedPassword: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' } },
  {
    name: 'argon2 (compound)',
    password: 'password',
    object: { compoundHashedPassword: '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG' },
  },
];

describe('accounts.importFullAccount with foreign hashes', () => {
  for (const [i, format] of FORMATS.entries()) {
    it(`${format.name}: first login verifies it and rehashes to argon2id`, async () => {
      const f = await gigyaFixture(t.core);
      const email = `imported${i}@example.com`;
      const r = await call(t.app, IMPORT, {
        ...creds(f),
        UID: `legacy-${i}`,
        loginIDs: JSON.stringify({ emails: [email] }),
        emails: JSON.stringify({ verified: [email] }),
        profile: '{"firstName":"Imp"}',
        isVerified: 'true',
        registered: '2019-05-01T10:00:00.000Z',
        password: JSON.stringify(format.object),
      });
      assert.equal(r.body.errorCode, 0, r.raw);
      assert.equal(r.body.UID, `legacy-${i}`);
      assert.match((await storedHash(f, `legacy-${i}`)) ?? '', /^\$roster-import\$/, 'kept as given until first login');
      assert.equal((await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: email, password: `${format.password}!` })).body.errorCode, 403042);
      const ok = await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: email, password: format.password });
      assert.equal(ok.body.errorCode, 0, ok.raw);
      assert.equal(ok.body.UID, `legacy-${i}`);
      assert.equal(ok.body.registered, '2019-05-01T10:00:00.000Z');
      assert.match((await storedHash(f, `legacy-${i}`)) ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal((await call(t.app, 'accounts.login', { apiKey: f.apiKey, loginID: email, password: format.password })).body.errorCode, 0);
    });
  }

  it('refuses malformed hashes and unknown algorithms with 400006 naming the field; insert refuses an existing UID', async () => {
    const f = await gigyaFixture(t.core);
    const base = { ...creds(f), UID: 'u-1', loginIDs: '{"emails":["bad@example.com"]}' };
    const unknown = await call(t.app, IMPORT, { ...base, password: '{"hashedPassword":"abc","hashSettings":{"algorithm":"rot13"}}' });
    assert.equal(unknown.body.errorCode, 400006, unknown.raw);
    assert.match(unknown.body.errorDetails as string, /password\.hashSettings\.algorithm/);
    const short = await call(t.app, IMPORT, { ...base, password: '{"hashedPassword":"AAAA","hashSettings":{"algorithm":"sha256"}}' });
    assert.equal(short.body.errorCode, 400006, short.raw);
    assert.match(short.body.errorDetails as string, /password\.hashedPassword/);
    assert.equal((await call(t.app, IMPORT, base)).body.errorCode, 0);
    const again = await call(t.app, IMPORT, base);
    assert.equal(again.body.errorCode, 400003, again.raw);
    const upsert = await call(t.app, IMPORT, { ...base, importPolicy: 'upsert', profile: '{"lastName":"U"}' });
    assert.equal(upsert.body.errorCode, 0, upsert.raw);
    const anonymous = await call(t.app, IMPORT, { apiKey: f.apiKey, UID: 'u-2' });
    assert.equal(anonymous.body.errorCode, 403007);
  });

  it('an imported account over an existing lite account of the same email is the same person', async () => {
    const f = await gigyaFixture(t.core);
    const lite = await call(t.app, 'accounts.importLiteAccount', { ...creds(f), email: 'same@example.com' });
    assert.equal(lite.body.errorCode, 0);
    const r = await call(t.app, IMPORT, { ...creds(f), createUID: 'true', loginIDs: '{"emails":["same@example.com"]}' });
    assert.equal(r.body.errorCode, 0, r.raw);
    assert.equal(await t.core.accounts.count(f.ctx), 1);
    const account = await t.core.accounts.findByIdentifier(f.ctx, 'email', 'same@example.com');
    assert.equal(account?.hasFullAccount, true);
    assert.equal(account?.hasLiteAccount, true);
  });
});
