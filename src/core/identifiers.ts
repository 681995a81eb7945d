import { DomainError } from './errors.js';
import type { IdentifierKind, TenantId } from './types.js';

// The WHATWG HTML "valid e-mail address" production: what browsers accept in <input type=email>.
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const MAX_EMAIL_LENGTH = 254;

/**
 * The one normal form of an email identifier: trimmed and lowercased. Every door looks
 * people up through this, so "Ola@Example.com" and "ola@example.com" are one person.
 */
export function normalizeEmail(raw: string, field = 'email'): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw new DomainError('request.invalid_field', `Invalid email address: ${field}`, [{ field, message: 'is not a valid email address' }]);
  }
  return email;
}

/** The key of one person for the store's group commit (Store.transaction): two keys alike, one person. */
export function personKey(tenantId: TenantId, kind: IdentifierKind | 'uid' | 'emailToken', value: string): string {
  return `${tenantId}\u0000${kind}\u0000${value}`;
}

export function isValidEmail(raw: string): boolean {
  const email = raw.trim();
  return email.length > 0 && email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email);
}
