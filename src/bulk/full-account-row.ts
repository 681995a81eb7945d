import type { FullAccountInput } from '../core/full-account-import.js';
import { isDomainError, isJsonObject } from '../core/index.js';
import { parsePasswordObject } from '../core/password-import.js';
import type { JsonValue } from '../core/types.js';
import { parseLiteAccountRow } from './lite-account-row.js';

/**
 * One full account in the accounts.importFullAccount shape (an SAP CDC export line):
 * `{ UID, loginIDs: { emails, username }, emails: { verified, unverified }, profile, data,
 * subscriptions, preferences, isVerified, isRegistered, registered, verified, password }`.
 * Subscriptions and preferences read exactly as the lite import reads them.
 */
export type FullRowResult = { ok: true; input: FullAccountInput } | { ok: false; email: string | null; reason: string };

const KNOWN = new Set([
  'UID',
  'loginIDs',
  'emails',
  'profile',
  'data',
  'subscriptions',
  'preferences',
  'isVerified',
  'isRegistered',
  'isActive',
  'registered',
  'verified',
  'created',
  'lastLogin',
  'lastUpdated',
  'password',
  'lang',
  'regSource',
]);

const first = (value: JsonValue | undefined) => (Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined);

function time(value: JsonValue | undefined, field: string): Date | null {
  if (value === undefined || value === null) return null;
  const parsed = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) throw new Error(`${field} must be an ISO-8601 time or Unix milliseconds`);
  return parsed;
}

export function parseFullAccountRow(raw: unknown): FullRowResult {
  if (!isJsonObject(raw)) return { ok: false, email: null, reason: 'a row must be a JSON object' };
  const loginIDs = isJsonObject(raw.loginIDs) ? raw.loginIDs : {};
  const emails = isJsonObject(raw.emails) ? raw.emails : {};
  const profileEmail = isJsonObject(raw.profile) && typeof raw.profile.email === 'string' ? raw.profile.email : undefined;
  const email = first(loginIDs.emails) ?? first(loginIDs.unverifiedEmails) ?? first(emails.verified) ?? first(emails.unverified) ?? profileEmail ?? null;
  try {
    for (const key of Object.keys(raw)) if (!KNOWN.has(key)) throw new Error(`unknown field ${key}`);
    if (raw.UID !== undefined && typeof raw.UID !== 'string') throw new Error('UID must be a string');
    // The relations parse as in the lite import (same rules, same messages).
    const lite = parseLiteAccountRow({
      email: email ?? 'no-email@invalid.invalid',
      ...(raw.profile !== undefined && { profile: raw.profile }),
      ...(raw.data !== undefined && { data: raw.data }),
      ...(raw.subscriptions !== undefined && { subscriptions: raw.subscriptions }),
      ...(raw.preferences !== undefined && { preferences: raw.preferences }),
    });
    if (!lite.ok) throw new Error(lite.reason);
    const verifiedEmails = Array.isArray(emails.verified) ? emails.verified : [];
    const input: FullAccountInput = {
      policy: 'upsert',
      email,
      verifiedAt: time(raw.verified, 'verified'),
      registeredAt: time(raw.registered, 'registered'),
      ...(lite.input.subscriptions && { subscriptions: lite.input.subscriptions }),
      ...(lite.input.consents && { consents: lite.input.consents }),
    };
    // Unstated: decided by the core (new account: unverified, registered; existing: unchanged).
    if (typeof raw.isVerified === 'boolean') input.isVerified = raw.isVerified;
    else if (Array.isArray(emails.verified)) input.isVerified = email !== null && verifiedEmails.includes(email);
    if (typeof raw.isRegistered === 'boolean') input.isRegistered = raw.isRegistered;
    if (typeof raw.UID === 'string') input.uid = raw.UID;
    if (typeof loginIDs.username === 'string' && loginIDs.username !== '') input.username = loginIDs.username;
    if (lite.input.profile) input.profile = lite.input.profile;
    if (lite.input.data) input.data = lite.input.data;
    if (raw.password !== undefined && raw.password !== null) {
      if (!isJsonObject(raw.password)) throw new Error('password must be an object');
      const hash = parsePasswordObject(raw.password);
      if (hash) input.password = hash;
    }
    return { ok: true, input };
  } catch (error) {
    if (isDomainError(error)) return { ok: false, email, reason: error.message };
    if (error instanceof Error) return { ok: false, email, reason: error.message };
    throw error;
  }
}
