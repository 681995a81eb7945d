import { createAccountReads } from './account-reads.js';
import { createAccountSearch } from './account-search.js';
import { createAccounts } from './accounts.js';
import { createAdminConsole } from './admin-console.js';
import { createAdminIdentity } from './admin-identity.js';
import { createBulkImport } from './bulk-import.js';
import { createChannels } from './channels.js';
import { createClubClients } from './club-clients.js';
import { createConsents } from './consents.js';
import { createCredentials } from './credentials.js';
import type { CoreDeps } from './deps.js';
import { createDoubleOptIn } from './double-opt-in.js';
import { createKeys } from './keys.js';
import { createMemberImports } from './member-imports.js';
import { createMembers } from './members.js';
import { createOneTimePasswords } from './one-time-passwords.js';
import { createOpaqueIds } from './opaque-ids.js';
import { createProvisioning } from './provisioning.js';
import { createRequestGuards } from './request-guards.js';
import { createSigningKeys } from './signing-keys.js';
import { createSites } from './sites.js';
import { createSubscriptions } from './subscriptions.js';
import { createTenants } from './tenants.js';
import { createWebhooks } from './webhooks.js';

/** The core's one door: every write to a person goes through these services. */
export function createCore(deps: CoreDeps) {
  const sites = createSites(deps);
  const keys = createKeys(deps);
  return {
    tenants: createTenants(deps),
    sites,
    keys,
    accounts: createAccounts(deps),
    accountReads: createAccountReads(deps),
    opaqueIds: createOpaqueIds(deps.secretBox),
    accountSearch: createAccountSearch(deps),
    doubleOptIn: createDoubleOptIn(deps),
    subscriptions: createSubscriptions(deps),
    consents: createConsents(deps),
    channels: createChannels(deps),
    requestGuards: createRequestGuards(deps),
    bulkImport: createBulkImport(deps),
    webhooks: createWebhooks(deps),
    members: createMembers(deps),
    memberImports: createMemberImports(deps),
    clubClients: createClubClients(deps),
    // A running server sees what provisioning committed at once, not after the caches' TTL.
    provisioning: createProvisioning(deps, () => {
      sites.forgetCached();
      keys.forgetCached();
    }),
    adminIdentity: createAdminIdentity(deps),
    adminConsole: createAdminConsole(deps),
    credentials: createCredentials(deps),
    oneTimePasswords: createOneTimePasswords(deps),
    signingKeys: createSigningKeys(deps),
  };
}

export type Core = ReturnType<typeof createCore>;
export type * from './account-query.js';
export { fieldType, valueProblem } from './account-query.js';
export type { AccountLookup, ProviderIdentity } from './account-reads.js';
export type { SearchPage } from './account-search.js';
export type { AccountChange, LiteAccountInput } from './accounts.js';
export type { Door, PeoplePage, PersonEvent, PersonRecord } from './admin-console.js';
export type { AdminUserSpec, LoginOutcome as AdminLoginOutcome, RequestOrigin } from './admin-identity.js';
export { ADMIN_POLICY } from './admin-identity.js';
export type * from './admin-ports.js';
export type { AdminAction, AdminPrincipal } from './admin-roles.js';
export { ADMIN_ACTIONS, ADMIN_ROLES, adminMay, principalTenants, ROLE_ACTIONS } from './admin-roles.js';
export { clientHolds, tokenLookup } from './club-clients.js';
export type { ConsentChange } from './consent-rules.js';
export type { CredentialPolicy } from './credential-policy.js';
export type { AccessOutcome, CompletionCheck, LoginOutcome, RegisterOutcome } from './credentials.js';
export type { CoreDeps } from './deps.js';
export type { ConfirmationLink, ConfirmationOutcome } from './double-opt-in.js';
export type { DomainErrorCode, FieldError } from './errors.js';
export { DomainError, isDomainError } from './errors.js';
export type { DomainEvent, DomainEventType, VendorEventCode } from './events.js';
export type { FullAccountInput } from './full-account-import.js';
export { isValidEmail, normalizeEmail } from './identifiers.js';
export { isJsonObject, mergeJson } from './json-merge.js';
export { keyAllows } from './keys.js';
export type { MemberChange, MemberKey, NewMember, PersonIdAnswer } from './members.js';
export { registrationCodeAad } from './members.js';
export type { ImportedHash } from './password-hashes.js';
export { FOREIGN_ALGORITHMS } from './password-hashes.js';
export { parsePasswordObject } from './password-import.js';
export type { SettingSealer, SiteBlockRule, SiteBlockRules } from './ports.js';
export type { ChangeStatus, ProvisioningFile, ProvisioningReport, SiteProvision, TenantProvision } from './provisioning.js';
export { ProvisioningError, provisioningProblems } from './provisioning.js';
export type { IssuedSession, SessionHolder, SessionRequest } from './sessions.js';
export { SECRET_UNREADABLE } from './sites.js';
export type { SubscriptionChange } from './subscription-rules.js';
export type * from './types.js';
export type { Webhook, WebhookSpec } from './webhooks.js';
