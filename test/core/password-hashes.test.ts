import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeImportedHash, type ImportedHash, verifyImported, verifyStored } from '../../src/core/password-hashes.js';
import { argon2Hasher, nativeArgon2Hasher } from '../../src/security/password-hasher.js';

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/**
 * Published test vectors: RFC 1321 (MD5 "abc"), FIPS 180-2 (SHA-1/256/512 "abc"), RFC 6070
 * (PBKDF2-HMAC-SHA1), RFC 7914 §11 (PBKDF2-HMAC-SHA256), the PBKDF2-HMAC-SHA512 vector of the
 * same shape used by common test suites, OpenWall crypt_blowfish ("U*U"), and the argon2
 * reference README (argon2i "password"/"somesalt").
 */
const VECTORS: Array<{ name: string; password: string; hash: ImportedHash }> = [
  { name: 'md5, no salt', password: 'abc', hash: { algorithm: 'md5', hash: b64('900150983cd24fb0d6963f7d28e17f72') } },
  {
    name: 'sha1, salt bytes appended ($password$salt default)',
    password: 'ab',
    hash: { algorithm: 'sha1', hash: b64('a9993e364706816aba3e25717850c26c9cd0d89d'), salt: Buffer.from('c').toString('base64') },
  },
  {
    name: 'sha256, format template with a clear-text salt',
    password: 'bc',
    hash: { algorithm: 'sha256', hash: b64('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'), salt: 'a', format: '$salt$password' },
  },
  {
    name: 'sha512, no salt',
    password: 'abc',
    hash: {
      algorithm: 'sha512',
      hash: b64('ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'),
    },
  },
  {
    name: 'pbkdf2 (SHA-1) c=1',
    password: 'password',
    hash: { algorithm: 'pbkdf2', hash: b64('0c60c80f961f0e71f3a9b524af6012062fe037a6'), salt: Buffer.from('salt').toString('base64'), rounds: 1 },
  },
  {
    name: 'pbkdf2 (SHA-1) c=4096',
    password: 'password',
    hash: { algorithm: 'pbkdf2', hash: b64('4b007901b765489abead49d926f721d065a429c1'), salt: Buffer.from('salt').toString('base64'), rounds: 4096 },
  },
  {
    name: 'pbkdf2_sha256 c=1 dkLen=64',
    password: 'passwd',
    hash: {
      algorithm: 'pbkdf2_sha256',
      hash: b64('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783'),
      salt: Buffer.from('salt').toString('base64'),
      rounds: 1,
    },
  },
  {
    name: 'pbkdf2_sha512 c=1 dkLen=64',
    password: 'password',
    hash: {
      algorithm: 'pbkdf2_sha512',
      hash: b64('867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce'),
      salt: Buffer.from('salt').toString('base64'),
      rounds: 1,
    },
  },
  { name: 'bcrypt $2a$', password: 'U*U', hash: { algorithm: 'bcrypt', hash: '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' } },
  {
    name: 'argon2i PHC',
    password: 'password',
    hash: { algorithm: 'argon2', hash: '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG' },
  },
];

describe('foreign password hashes (published vectors)', () => {
  for (const vector of VECTORS) {
    it(`${vector.name}: the password matches, another does not`, async () => {
      assert.equal(await verifyImported(vector.hash, vector.password, argon2Hasher), true);
      assert.equal(await verifyImported(vector.hash, `${vector.password}x`, argon2Hasher), false);
      const stored = await verifyStored(encodeImportedHash(vector.hash), vector.password, argon2Hasher);
      assert.deepEqual(stored, { ok: true, rehash: true });
    });
  }

  it('rounds > 1 hash the raw digest again (sha1 ×2 = SHA1(SHA1(pw)))', async () => {
    // SHA1("abc") then SHA1 of those 20 bytes: built from the FIPS vector by hand.
    const { createHash } = await import('node:crypto');
    const twice = createHash('sha1').update(Buffer.from('a9993e364706816aba3e25717850c26c9cd0d89d', 'hex')).digest('base64');
    assert.equal(await verifyImported({ algorithm: 'sha1', hash: twice, rounds: 2 }, 'abc', argon2Hasher), true);
    assert.equal(await verifyImported({ algorithm: 'sha1', hash: twice, rounds: 1 }, 'abc', argon2Hasher), false);
  });

  it('native argon2id at the documented cost needs no rehash; other argon2 parameters do', async () => {
    const native = await argon2Hasher.hash('secret-1');
    assert.match(native, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.deepEqual(await verifyStored(native, 'secret-1', argon2Hasher), { ok: true, rehash: false });
    assert.deepEqual(await verifyStored(native, 'secret-2', argon2Hasher), { ok: false, rehash: false });
    const old = '$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG';
    assert.deepEqual(await verifyStored(old, 'password', argon2Hasher), { ok: true, rehash: true });
  });

  it('an imported argon2id at the native cost needs no rehash either (the emulator seeds fixture passwords so)', async () => {
    const imported = encodeImportedHash({ algorithm: 'argon2', hash: await argon2Hasher.hash('secret-1') });
    assert.deepEqual(await verifyStored(imported, 'secret-1', argon2Hasher), { ok: true, rehash: false });
    assert.deepEqual(await verifyStored(imported, 'secret-2', argon2Hasher), { ok: false, rehash: false });
  });
});

describe('the native argon2 module', () => {
  it('a module that fails to load is an error, not a wrong password; a malformed stored hash is a wrong password', async () => {
    const broken = nativeArgon2Hasher(() => Promise.reject(new Error('cannot load the native addon')));
    await assert.rejects(broken.verify('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA', 'password'), /cannot load the native addon/);
    const working = nativeArgon2Hasher(() => import('@node-rs/argon2'));
    assert.equal(await working.verify('not-a-phc-string', 'password'), false);
    assert.equal(await working.verify(await working.hash('password'), 'password'), true);
  });

  it('runs at most `concurrency` hashes and verifies at once, and answers every call', async () => {
    let running = 0;
    let most = 0;
    const slow = async <T>(value: T) => {
      most = Math.max(most, ++running);
      await new Promise((done) => setTimeout(done, 5));
      running--;
      return value;
    };
    const module = { hash: (plain: string) => slow(`hashed:${plain}`), verify: (stored: string, plain: string) => slow(stored === `hashed:${plain}`) };
    const hasher = nativeArgon2Hasher(async () => module as unknown as typeof import('@node-rs/argon2'), 2);
    const answers = await Promise.all([...['a', 'b', 'c'].map((p) => hasher.hash(p)), ...['a', 'b', 'c', 'd'].map((p) => hasher.verify('hashed:a', p))]);
    assert.deepEqual(answers, ['hashed:a', 'hashed:b', 'hashed:c', true, false, false, false]);
    assert.equal(most, 2);
  });
});
