import type { ConsentChange, JsonObject, JsonValue, SubscriptionChange } from '../../core/index.js';
import { isJsonObject } from '../../core/index.js';
import { isDateInRange } from '../shared/input-guard.js';
import type { ValidationError } from './errors.js';
import { booleanValue, objectParam, type Params } from './params.js';
import { checkAgainstSchema, declaredSubscriptions, type SiteSchema } from './schema.js';

/**
 * Gigya's account shapes for subscriptions and preferences, translated to the core's flat
 * changes. Ids may contain dots: in the account object they are nested
 * (`subscriptions.newsletter.commercial.email`), in the core they are flat ids
 * (`newsletter.commercial`) (gigya-wire §6).
 */

const SUBSCRIPTION_FIELDS = new Set(['isSubscribed', 'tags', 'lastUpdatedSubscriptionState', 'doubleOptIn']);
const DOI_STATUSES = new Set(['Pending', 'NotConfirmed', 'Confirmed']);
const MAX_ID_LENGTH = 200;

/** A node is a subscription when its `email` child holds subscription fields; otherwise its children are id segments. */
function isSubscriptionNode(node: JsonObject): boolean {
  const email = node.email;
  return isJsonObject(email) && (Object.keys(email).length === 0 || Object.keys(email).some((k) => SUBSCRIPTION_FIELDS.has(k)));
}

function dateValue(value: JsonValue | undefined): Date | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'number' && (typeof value !== 'string' || value === '')) return undefined;
  const date = new Date(value);
  // Out of range (year 0001 to 9999) is unreadable as well: never stored as something else.
  return isDateInRange(date) ? date : undefined;
}

class Problems {
  readonly list: ValidationError[] = [];
  add(fieldName: string, message: string, errorCode = 400023): void {
    if (this.list.length < 50) this.list.push({ errorCode, message, fieldName });
  }
}

function readSubscription(id: string, email: JsonObject, problems: Problems): SubscriptionChange {
  const field = `subscriptions.${id}.email`;
  const change: SubscriptionChange = { subscriptionId: id, channel: 'email' };
  for (const [name, value] of Object.entries(email)) {
    switch (name) {
      case 'isSubscribed': {
        // The SAP toolkit sends "TRUE" as a string inside the JSON (gigya-wire §1.3).
        const flag = typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number' ? booleanValue(value) : undefined;
        if (flag === undefined) problems.add(`${field}.isSubscribed`, 'must be a boolean');
        else change.isSubscribed = flag;
        break;
      }
      case 'tags':
        if (value === null) change.tags = [];
        else if (Array.isArray(value) && value.every((t) => typeof t === 'string')) change.tags = value as string[];
        else problems.add(`${field}.tags`, 'must be an array of strings');
        break;
      case 'lastUpdatedSubscriptionState': {
        // Writable here and only here: an import states when it last changed (seed importLiteAccount).
        const date = dateValue(value);
        if (!date) problems.add(`${field}.lastUpdatedSubscriptionState`, 'must be an ISO-8601 date in years 0001 to 9999');
        else change.lastUpdatedStateAt = date;
        break;
      }
      case 'doubleOptIn': {
        if (!isJsonObject(value)) {
          problems.add(`${field}.doubleOptIn`, 'must be an object');
          break;
        }
        const doi: NonNullable<SubscriptionChange['doubleOptIn']> = {};
        for (const [doiName, doiValue] of Object.entries(value)) {
          if (doiName === 'status') {
            if (typeof doiValue === 'string' && DOI_STATUSES.has(doiValue)) doi.status = doiValue as 'Pending' | 'NotConfirmed' | 'Confirmed';
            else problems.add(`${field}.doubleOptIn.status`, 'must be Pending, NotConfirmed or Confirmed', 400006);
          } else if (doiName === 'emailSentTime' || doiName === 'confirmTime') {
            const date = dateValue(doiValue);
            if (date === undefined) problems.add(`${field}.doubleOptIn.${doiName}`, 'must be an ISO-8601 date or null');
            else if (doiName === 'emailSentTime') doi.emailSentAt = date;
            else doi.confirmedAt = date;
          } else if (doiName === 'doiConditionallyConfirmed' || doiName === 'isExternallyVerified') {
            const flag = typeof doiValue === 'boolean' || typeof doiValue === 'string' ? booleanValue(doiValue) : undefined;
            if (flag === undefined) problems.add(`${field}.doubleOptIn.${doiName}`, 'must be a boolean');
            else doi.conditionallyConfirmed = flag;
          }
          // Other doubleOptIn keys are read-only server fields: ignored.
        }
        change.doubleOptIn = doi;
        break;
      }
      default:
        problems.add(`${field}.${name}`, 'is not a subscription field', 400024);
    }
  }
  return change;
}

/** Walks the nested account shape; each `<id…>.email` node is one subscription. */
export function parseSubscriptions(subscriptions: JsonObject): { changes: SubscriptionChange[]; problems: ValidationError[] } {
  const problems = new Problems();
  const changes: SubscriptionChange[] = [];
  const walk = (node: JsonObject, prefix: string) => {
    for (const [segment, child] of Object.entries(node)) {
      const id = prefix ? `${prefix}.${segment}` : segment;
      if (!isJsonObject(child)) {
        problems.add(`subscriptions.${id}`, 'must be an object', 400006);
        continue;
      }
      if (id.length > MAX_ID_LENGTH) {
        problems.add(`subscriptions.${id.slice(0, MAX_ID_LENGTH)}`, 'subscription id too long', 400006);
        continue;
      }
      if (isSubscriptionNode(child)) {
        changes.push(readSubscription(id, child.email as JsonObject, problems));
        const others = Object.keys(child).filter((k) => k !== 'email');
        for (const other of others) problems.add(`subscriptions.${id}.${other}`, 'only the email channel exists', 400006);
      } else {
        walk(child, id);
      }
    }
  };
  walk(subscriptions, '');
  return { changes, problems: problems.list };
}

/** Preference (consent) fields the core stores in its own columns; the rest ride along as attributes. */
const CONSENT_OWN_FIELDS = new Set(['isConsentGranted', 'docVersion', 'lastConsentModified']);

/**
 * Gigya `preferences` → core consents (docs/gigya.md): each node holding `isConsentGranted` is a
 * consent whose id is its dotted path (`terms.tos`); docVersion → version, lastConsentModified →
 * when it was given (imports state it), everything else (lang, tags, customData, docDate,
 * entitlements) → attributes. Source is `gigya`.
 */
export function parsePreferences(preferences: JsonObject): { changes: ConsentChange[]; problems: ValidationError[] } {
  const problems = new Problems();
  const changes: ConsentChange[] = [];
  const walk = (node: JsonObject, prefix: string) => {
    for (const [segment, child] of Object.entries(node)) {
      const id = prefix ? `${prefix}.${segment}` : segment;
      if (!isJsonObject(child) || id.length > MAX_ID_LENGTH) {
        problems.add(`preferences.${id.slice(0, MAX_ID_LENGTH)}`, 'must be an object', 400006);
        continue;
      }
      if (!('isConsentGranted' in child)) {
        walk(child, id);
        continue;
      }
      const raw = child.isConsentGranted;
      const granted = typeof raw === 'boolean' || typeof raw === 'string' || typeof raw === 'number' ? booleanValue(raw) : undefined;
      if (granted === undefined) {
        problems.add(`preferences.${id}.isConsentGranted`, 'must be a boolean');
        continue;
      }
      const change: ConsentChange = { consentId: id, isGranted: granted, source: 'gigya' };
      const version = child.docVersion;
      if (version !== undefined) change.version = version === null ? null : String(version);
      if (child.lastConsentModified !== undefined) {
        const date = dateValue(child.lastConsentModified);
        if (!date) problems.add(`preferences.${id}.lastConsentModified`, 'must be an ISO-8601 date in years 0001 to 9999');
        else change.updatedAt = date;
      }
      const attributes: JsonObject = {};
      for (const [name, value] of Object.entries(child)) if (!CONSENT_OWN_FIELDS.has(name)) attributes[name] = value;
      change.attributes = attributes;
      changes.push(change);
    }
  };
  walk(preferences, '');
  return { changes, problems: problems.list };
}

/**
 * The account fields a write method takes (profile, data, subscriptions, preferences), parsed from
 * their JSON-string parameters and checked against the site schema's types: the parts both
 * importLiteAccount and setAccountInfo read the same way. Method-specific rules come after.
 */
export function parseAccountWrite(params: Params, schema: SiteSchema | undefined) {
  const profile = objectParam(params, 'profile');
  const data = objectParam(params, 'data');
  const subscriptions = objectParam(params, 'subscriptions');
  const preferences = objectParam(params, 'preferences');
  const parsedSubscriptions = subscriptions ? parseSubscriptions(subscriptions) : { changes: [], problems: [] };
  const parsedPreferences = preferences ? parsePreferences(preferences) : { changes: [], problems: [] };
  const problems: ValidationError[] = [
    ...checkAgainstSchema(schema, 'profile', profile),
    ...checkAgainstSchema(schema, 'data', data),
    ...parsedSubscriptions.problems,
    ...parsedPreferences.problems,
  ];
  // A site that declares its subscriptions takes no others.
  const declared = declaredSubscriptions(schema);
  for (const change of parsedSubscriptions.changes) {
    if (declared && !declared.has(change.subscriptionId)) {
      problems.push({ errorCode: 400006, message: 'Unknown subscription', fieldName: `subscriptions.${change.subscriptionId}` });
    }
  }
  return { profile, data, subscriptions: parsedSubscriptions.changes, preferences: parsedPreferences.changes, problems };
}
