import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../../src/core/errors.js';
import { normalizeEmail } from '../../src/core/identifiers.js';

describe('normalizeEmail', () => {
  it('trims and lowercases, so one person has one email identifier', () => {
    assert.equal(normalizeEmail('  Ola.Nordmann@Example.COM '), 'ola.nordmann@example.com');
    assert.equal(normalizeEmail('a+tag@sub.example.co.uk'), 'a+tag@sub.example.co.uk');
  });

  for (const bad of ['', 'plain', 'a@', '@b.com', 'a@b', 'a b@c.com', 'a@-b.com', `${'x'.repeat(250)}@b.com`]) {
    it(`rejects ${JSON.stringify(bad.length > 30 ? `${bad.slice(0, 10)}…` : bad)} as request.invalid_field`, () => {
      assert.throws(
        () => normalizeEmail(bad),
        (error: unknown) => error instanceof DomainError && error.code === 'request.invalid_field' && error.fields[0]?.field === 'email',
      );
    });
  }
});
