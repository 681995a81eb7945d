import type { LiteAccountInput } from '../core/accounts.js';
import type { ConsentChange } from '../core/consent-rules.js';
import { isJsonObject } from '../core/index.js';
import type { SubscriptionChange } from '../core/subscription-rules.js';
import type { AccountView, DoubleOptInStatus, JsonObject, JsonValue } from '../core/types.js';

/**
 * The Gigya accounts.importLiteAccount shape of one account (gigya-wire §6 for subscriptions):
 * `{ email, profile, data, subscriptions: { "<id>": { email: { isSubscribed, tags,
 * lastUpdatedSubscriptionState, doubleOptIn: {...} } } }, preferences: { "<id>": { isConsentGranted, … } } }`.
 * Dotted subscription and consent ids are nested objects ("news.sports" → news: { sports: … }).
 * NOTE: the Gigya facade parses the same shape for the HTTP method; the two parsers should be
 * unified once both are on main.
 */
export type RowResult = { ok: true; input: LiteAccountInput } | { ok: false; email: string | null; reason: string };

/** Read-only account fields an export with --full adds; an import ignores them. */
const IGNORED = new Set(['UID', 'created', 'lastUpdated', 'isVerified', 'hasFullAccount', 'hasLiteAccount', 'isRegistered']);
const DOI_STATUSES = new Set<DoubleOptInStatus>(['NotConfirmed', 'Pending', 'Confirmed']);
const MAX_DEPTH = 8;

class RowError extends Error {}

function date(value: unknown, field: string): Date {
  if (typeof value !== 'string' && typeof value !== 'number') throw new RowError(`${field} must be an ISO-8601 time`);
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new RowError(`${field} must be an ISO-8601 time`);
  return parsed;
}

function optionalDate(value: unknown, field: string): Date | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  return date(value, field);
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new RowError(`${field} must be true or false`);
  return value;
}

function tags(value: unknown, field: string): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string')) throw new RowError(`${field} must be a list of strings`);
  return value as string[];
}

/** A subscription channel object is one whose keys are the known subscription fields. */
const SUBSCRIPTION_FIELDS = new Set(['isSubscribed', 'tags', 'lastUpdatedSubscriptionState', 'doubleOptIn']);

function subscriptionChange(id: string, raw: JsonObject): SubscriptionChange {
  const field = `subscriptions.${id}.email`;
  for (const key of Object.keys(raw)) if (!SUBSCRIPTION_FIELDS.has(key)) throw new RowError(`${field}.${key} is not a subscription field`);
  const change: SubscriptionChange = { subscriptionId: id, channel: 'email' };
  if (raw.isSubscribed !== undefined) change.isSubscribed = bool(raw.isSubscribed, `${field}.isSubscribed`);
  if (raw.tags !== undefined) change.tags = tags(raw.tags, `${field}.tags`);
  if (raw.lastUpdatedSubscriptionState !== undefined && raw.lastUpdatedSubscriptionState !== null) {
    change.lastUpdatedStateAt = date(raw.lastUpdatedSubscriptionState, `${field}.lastUpdatedSubscriptionState`);
  }
  if (raw.doubleOptIn !== undefined && raw.doubleOptIn !== null) {
    if (!isJsonObject(raw.doubleOptIn)) throw new RowError(`${field}.doubleOptIn must be an object`);
    const doi = raw.doubleOptIn;
    const given: NonNullable<SubscriptionChange['doubleOptIn']> = {};
    if (doi.status !== undefined) {
      if (typeof doi.status !== 'string' || !DOI_STATUSES.has(doi.status as DoubleOptInStatus)) {
        throw new RowError(`${field}.doubleOptIn.status must be NotConfirmed, Pending or Confirmed`);
      }
      given.status = doi.status as DoubleOptInStatus;
    }
    const sent = optionalDate(doi.emailSentTime, `${field}.doubleOptIn.emailSentTime`);
    if (sent !== undefined) given.emailSentAt = sent;
    const confirmed = optionalDate(doi.confirmTime, `${field}.doubleOptIn.confirmTime`);
    if (confirmed !== undefined) given.confirmedAt = confirmed;
    if (doi.doiConditionallyConfirmed !== undefined)
      given.conditionallyConfirmed = bool(doi.doiConditionallyConfirmed, `${field}.doubleOptIn.doiConditionallyConfirmed`);
    change.doubleOptIn = given;
  }
  return change;
}

function subscriptions(raw: JsonObject, prefix: string, out: SubscriptionChange[], depth: number): void {
  if (depth > MAX_DEPTH) throw new RowError('subscriptions are nested too deep');
  for (const [key, value] of Object.entries(raw)) {
    const id = prefix ? `${prefix}.${key}` : key;
    if (!isJsonObject(value)) throw new RowError(`subscriptions.${id} must be an object`);
    // A level holding `email` whose value is a subscription object is a leaf (gigya-wire §6).
    if (isJsonObject(value.email) && Object.keys(value.email).some((k) => SUBSCRIPTION_FIELDS.has(k))) {
      const others = Object.keys(value).filter((k) => k !== 'email');
      if (others.length > 0) throw new RowError(`subscriptions.${id}.${others[0]} is not a channel (only email)`);
      out.push(subscriptionChange(id, value.email));
    } else {
      subscriptions(value, id, out, depth + 1);
    }
  }
}

/** Consent fields kept as the consent's attributes (Gigya preferences carry them). */
const CONSENT_ATTRIBUTES = ['docDate', 'lang', 'tags', 'customData', 'entitlements'] as const;
const CONSENT_FIELDS = new Set(['isConsentGranted', 'docVersion', 'docDate', 'lang', 'tags', 'customData', 'entitlements', 'lastConsentModified', 'source']);

function consents(raw: JsonObject, prefix: string, out: ConsentChange[], depth: number): void {
  if (depth > MAX_DEPTH) throw new RowError('preferences are nested too deep');
  for (const [key, value] of Object.entries(raw)) {
    const id = prefix ? `${prefix}.${key}` : key;
    if (!isJsonObject(value)) throw new RowError(`preferences.${id} must be an object`);
    if (!('isConsentGranted' in value)) {
      consents(value, id, out, depth + 1);
      continue;
    }
    const field = `preferences.${id}`;
    for (const k of Object.keys(value)) if (!CONSENT_FIELDS.has(k)) throw new RowError(`${field}.${k} is not a consent field`);
    const change: ConsentChange = { consentId: id, isGranted: bool(value.isConsentGranted, `${field}.isConsentGranted`) };
    if (value.docVersion !== undefined) change.version = value.docVersion === null ? null : String(value.docVersion);
    if (value.source !== undefined) change.source = value.source === null ? null : String(value.source);
    const updatedAt = optionalDate(value.lastConsentModified, `${field}.lastConsentModified`);
    if (updatedAt) change.updatedAt = updatedAt;
    const attributes: JsonObject = {};
    for (const k of CONSENT_ATTRIBUTES) if (value[k] !== undefined) attributes[k] = value[k] as JsonValue;
    if (Object.keys(attributes).length > 0) change.attributes = attributes;
    out.push(change);
  }
}

/** Validates one row object and turns it into the core's LiteAccountInput. */
export function parseLiteAccountRow(raw: unknown): RowResult {
  if (!isJsonObject(raw)) return { ok: false, email: null, reason: 'a row must be a JSON object' };
  const email = typeof raw.email === 'string' ? raw.email : null;
  try {
    for (const key of Object.keys(raw)) {
      if (!['email', 'profile', 'data', 'subscriptions', 'preferences'].includes(key) && !IGNORED.has(key)) throw new RowError(`unknown field ${key}`);
    }
    if (email === null) throw new RowError('email is required');
    const input: LiteAccountInput = { email };
    if (raw.profile !== undefined && raw.profile !== null) {
      if (!isJsonObject(raw.profile)) throw new RowError('profile must be an object');
      input.profile = raw.profile;
    }
    if (raw.data !== undefined && raw.data !== null) {
      if (!isJsonObject(raw.data)) throw new RowError('data must be an object');
      input.data = raw.data;
    }
    if (raw.subscriptions !== undefined && raw.subscriptions !== null) {
      if (!isJsonObject(raw.subscriptions)) throw new RowError('subscriptions must be an object');
      const out: SubscriptionChange[] = [];
      subscriptions(raw.subscriptions, '', out, 0);
      input.subscriptions = out;
    }
    if (raw.preferences !== undefined && raw.preferences !== null) {
      if (!isJsonObject(raw.preferences)) throw new RowError('preferences must be an object');
      const out: ConsentChange[] = [];
      consents(raw.preferences, '', out, 0);
      input.consents = out;
    }
    return { ok: true, input };
  } catch (error) {
    if (error instanceof RowError) return { ok: false, email, reason: error.message };
    throw error;
  }
}

function setPath(target: JsonObject, path: string[], value: JsonValue): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isJsonObject(node[key])) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[path[path.length - 1] as string] = value;
}

/** The row an export writes for one account: the import shape, plus read-only fields with `full`. */
export function liteAccountRow(account: AccountView, full: boolean): JsonObject {
  const row: JsonObject = {};
  if (full) {
    row.UID = account.uid;
    row.hasFullAccount = account.hasFullAccount;
    row.hasLiteAccount = account.hasLiteAccount;
    row.isVerified = account.isVerified;
    row.created = account.createdAt.toISOString();
    row.lastUpdated = account.updatedAt.toISOString();
  }
  row.email = account.email;
  row.profile = account.profile;
  row.data = account.data;
  const subs: JsonObject = {};
  for (const s of account.subscriptions) {
    if (s.channel !== 'email') continue;
    setPath(subs, [...s.subscriptionId.split('.'), 'email'], {
      isSubscribed: s.isSubscribed,
      tags: s.tags,
      lastUpdatedSubscriptionState: s.lastUpdatedStateAt.toISOString(),
      doubleOptIn: {
        status: s.doubleOptIn.status,
        emailSentTime: s.doubleOptIn.emailSentAt?.toISOString() ?? null,
        confirmTime: s.doubleOptIn.confirmedAt?.toISOString() ?? null,
        doiConditionallyConfirmed: s.doubleOptIn.conditionallyConfirmed,
      },
    });
  }
  row.subscriptions = subs;
  const prefs: JsonObject = {};
  for (const c of account.consents) {
    const consent: JsonObject = { isConsentGranted: c.isGranted, docVersion: c.version, source: c.source, lastConsentModified: c.updatedAt.toISOString() };
    for (const key of CONSENT_ATTRIBUTES) if (c.attributes[key] !== undefined) consent[key] = c.attributes[key] as JsonValue;
    setPath(prefs, c.consentId.split('.'), consent);
  }
  row.preferences = prefs;
  return row;
}
