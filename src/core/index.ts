import { createAccountSearch } from './account-search.js';
import { createAccounts } from './accounts.js';
import { createChannels } from './channels.js';
import { createConsents } from './consents.js';
import type { CoreDeps } from './deps.js';
import { createDoubleOptIn } from './double-opt-in.js';
import { createKeys } from './keys.js';
import { createRequestGuards } from './request-guards.js';
import { createSites } from './sites.js';
import { createSubscriptions } from './subscriptions.js';
import { createTenants } from './tenants.js';

/** The core's one door: every write to a person goes through these services. */
export function createCore(deps: CoreDeps) {
  return {
    tenants: createTenants(deps),
    sites: createSites(deps),
    keys: createKeys(deps),
    accounts: createAccounts(deps),
    accountSearch: createAccountSearch(deps),
    doubleOptIn: createDoubleOptIn(deps),
    subscriptions: createSubscriptions(deps),
    consents: createConsents(deps),
    channels: createChannels(deps),
    requestGuards: createRequestGuards(deps),
  };
}

export type Core = ReturnType<typeof createCore>;
export type * from './account-query.js';
export { fieldType, valueProblem } from './account-query.js';
export type { SearchPage } from './account-search.js';
export type { AccountChange, LiteAccountInput } from './accounts.js';
export type { ConsentChange } from './consent-rules.js';
export type { CoreDeps } from './deps.js';
export type { ConfirmationOutcome } from './double-opt-in.js';
export type { DomainErrorCode, FieldError } from './errors.js';
export { DomainError, isDomainError } from './errors.js';
export { isValidEmail, normalizeEmail } from './identifiers.js';
export { keyAllows } from './keys.js';
export type { SubscriptionChange } from './subscription-rules.js';
export type * from './types.js';
