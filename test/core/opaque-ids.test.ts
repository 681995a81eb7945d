import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createOpaqueIds } from '../../src/core/opaque-ids.js';
import type { TenantId } from '../../src/core/types.js';
import { createSecretBox } from '../../src/security/secret-box.js';

describe('opaque ids (per-tenant keys derived from the master key)', () => {
  const ids = createOpaqueIds(createSecretBox(randomBytes(32)));
  const a = 'tenant-a' as TenantId;
  const b = 'tenant-b' as TenantId;

  it('round-trips, URL-safe and deterministic', () => {
    const token = ids.seal(a, 'p', '0123456789abcdef0123456789abcdef');
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.equal(ids.seal(a, 'p', '0123456789abcdef0123456789abcdef'), token);
    assert.notEqual(ids.seal(a, 'p', '0123456789abcdef0123456789abcdee'), token);
    assert.equal(ids.open(a, 'p', token), '0123456789abcdef0123456789abcdef');
  });

  it('opens only in the tenant and purpose that minted it, and not after tampering', () => {
    const token = ids.seal(a, 'p', 'some-id-value');
    assert.equal(ids.open(b, 'p', token), undefined);
    assert.equal(ids.open(a, 'q', token), undefined);
    const bytes = Buffer.from(token, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    assert.equal(ids.open(a, 'p', bytes.toString('base64url')), undefined);
    assert.equal(createOpaqueIds(createSecretBox(randomBytes(32))).open(a, 'p', token), undefined, 'another master key');
  });
});
