import type { AccountView, Consent, JsonObject, JsonValue, Subscription } from '../../core/index.js';

/** Core accounts rendered in Gigya's account shape (gigya-wire §5, §6): the reverse of account-shape.ts. */

/** Puts `value` at the dotted path of `id` inside `into`, nesting as the account object does. */
function setNested(into: JsonObject, id: string, value: JsonObject): void {
  const segments = id.split('.');
  let node = into;
  for (const segment of segments.slice(0, -1)) {
    const next = node[segment];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next;
    else {
      const created: JsonObject = {};
      node[segment] = created;
      node = created;
    }
  }
  const last = segments.at(-1) as string;
  const existing = node[last];
  node[last] = typeof existing === 'object' && existing !== null && !Array.isArray(existing) ? { ...existing, ...value } : value;
}

function subscriptionShape(subscription: Subscription): JsonObject {
  const doi = subscription.doubleOptIn;
  const doubleOptIn: JsonObject = { status: doi.status };
  if (doi.emailSentAt) doubleOptIn.emailSentTime = doi.emailSentAt.toISOString();
  if (doi.confirmedAt) doubleOptIn.confirmTime = doi.confirmedAt.toISOString();
  doubleOptIn.doiConditionallyConfirmed = doi.conditionallyConfirmed;
  return {
    isSubscribed: subscription.isSubscribed,
    tags: subscription.tags,
    lastUpdatedSubscriptionState: subscription.lastUpdatedStateAt.toISOString(),
    doubleOptIn,
  };
}

export function subscriptionsShape(subscriptions: Subscription[]): JsonObject {
  const out: JsonObject = {};
  for (const subscription of subscriptions) {
    if (subscription.channel !== 'email') continue; // Gigya's account shape has only the email channel
    setNested(out, subscription.subscriptionId, { email: subscriptionShape(subscription) });
  }
  return out;
}

function docVersion(version: string | null): JsonValue {
  if (version === null) return null;
  const number = Number(version);
  return version.trim() !== '' && Number.isFinite(number) ? number : version;
}

export function preferencesShape(consents: Consent[]): JsonObject {
  const out: JsonObject = {};
  for (const consent of consents) {
    const shape: JsonObject = { ...consent.attributes, isConsentGranted: consent.isGranted, lastConsentModified: consent.updatedAt.toISOString() };
    if (consent.version !== null) shape.docVersion = docVersion(consent.version);
    setNested(out, consent.consentId, shape);
  }
  return out;
}

export const DEFAULT_INCLUDE = ['profile', 'data', 'subscriptions', 'preferences', 'emails'] as const;

/** The account object of getAccountInfo; `include` picks the optional parts. */
export function accountShape(account: AccountView, include: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {
    UID: account.uid,
    created: account.createdAt.toISOString(),
    createdTimestamp: account.createdAt.getTime(),
    lastUpdated: account.updatedAt.toISOString(),
    lastUpdatedTimestamp: account.updatedAt.getTime(),
    isActive: true,
    isRegistered: account.hasFullAccount,
    isVerified: account.isVerified,
    hasLiteAccount: account.hasLiteAccount,
    hasFullAccount: account.hasFullAccount,
    token: account.emailToken,
  };
  if (account.registeredAt) {
    out.registered = account.registeredAt.toISOString();
    out.registeredTimestamp = account.registeredAt.getTime();
  }
  if (account.verifiedAt) {
    out.verified = account.verifiedAt.toISOString();
    out.verifiedTimestamp = account.verifiedAt.getTime();
  }
  if (include.has('profile')) out.profile = account.profile;
  if (include.has('data')) out.data = account.data;
  if (include.has('subscriptions')) out.subscriptions = subscriptionsShape(account.subscriptions);
  if (include.has('preferences')) out.preferences = preferencesShape(account.consents);
  if (include.has('emails')) {
    const emails = account.email ? [account.email] : [];
    out.emails = { verified: account.isVerified ? emails : [], unverified: account.isVerified ? [] : emails };
  }
  if (include.has('loginIDs')) out.loginIDs = { emails: account.hasFullAccount && account.email ? [account.email] : [], unverifiedEmails: [] };
  return out;
}
