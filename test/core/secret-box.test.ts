import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseMasterKey } from '../../src/security/master-key.js';
import { createSecretBox } from '../../src/security/secret-box.js';

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  it('round-trips a secret and never stores it in clear', () => {
    const sealed = box.seal('dGVzdC1zZWNyZXQ=', 'key:1');
    assert.ok(sealed.startsWith('v1:'));
    assert.ok(!sealed.includes('dGVzdC1zZWNyZXQ='));
    assert.equal(box.open(sealed, 'key:1'), 'dGVzdC1zZWNyZXQ=');
  });

  it('uses a fresh IV each time', () => {
    assert.notEqual(box.seal('same', 'a'), box.seal('same', 'a'));
  });

  it('refuses a ciphertext moved to another row (associated data differs)', () => {
    assert.throws(() => box.open(box.seal('s', 'key:1'), 'key:2'));
  });

  it('refuses a tampered ciphertext and another master key', () => {
    const sealed = box.seal('secret', 'a');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    assert.throws(() => box.open(`v1:${bytes.toString('base64')}`, 'a'));
    assert.throws(() => createSecretBox(randomBytes(32)).open(sealed, 'a'));
  });

  it('parses master keys as 64 hex characters or Base64 of 32 bytes, nothing else', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseMasterKey(key.toString('hex')), key);
    assert.deepEqual(parseMasterKey(key.toString('base64')), key);
    assert.equal(parseMasterKey('short'), undefined);
    assert.equal(parseMasterKey(randomBytes(16).toString('base64')), undefined);
  });
});
