import Type from 'typebox';
import type { AccountView } from '../../core/index.js';
import { METADATA_KEYS, type Metadata, metadataOf } from './metadata.js';
import type { ProviderUser } from './providers/provider.js';
import type { UserProviderName } from './settings.js';

/** Wire models of the Users Orchestrator (camelCase, spec A.2/A.3) and the legacy User API (PascalCase). */

export const UserState = Type.Union([Type.Literal('Standard'), Type.Literal('Lite'), Type.Literal('Unverified')]);

export const UserItem = Type.Object({
  customerRegistrationId: Type.String({ description: "Roster's account uid: 32 lowercase hex characters, stable per account" }),
  encryptedCustomerRegistrationId: Type.String({ description: 'URL-safe authenticated encryption of customerRegistrationId under a per-tenant key' }),
  email: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  state: UserState,
  metadata: Type.Object(Object.fromEntries(METADATA_KEYS.map((key) => [key, Type.String()]))),
  verified: Type.Boolean(),
});

const Message = (type: 'Success' | 'Error') =>
  Type.Object({
    code: Type.String(),
    text: Type.String(),
    type: Type.Literal(type),
    ...(type === 'Error' && {
      errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: "Roster's addition: what was wrong" })),
    }),
  });

export const UsersEnvelope = Type.Object({
  message: Message('Success'),
  data: Type.Array(UserItem),
  meta: Type.Object({ totalRecords: Type.Integer() }),
});

export const ErrorEnvelope = Type.Object({ message: Message('Error'), data: Type.Null(), meta: Type.Null() });

export interface UserItem {
  customerRegistrationId: string;
  encryptedCustomerRegistrationId: string;
  email: string;
  firstName: string;
  lastName: string;
  state: 'Standard' | 'Lite' | 'Unverified';
  metadata: Metadata;
  verified: boolean;
}

/** The combined record: the local account, and the provider's answer when one was read. */
export interface CombinedUser {
  account: AccountView;
  provider: ProviderUser | null;
  /** The client's valid provider, if any (spec A.3: then every user is Standard). */
  providerName: UserProviderName | null;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * spec A.3: a tenant with a third-party auth system → Standard; with MG2 auth (no provider):
 * no password → Lite, not verified → Unverified, otherwise Standard.
 */
export function stateOf(user: CombinedUser): UserItem['state'] {
  if (user.providerName) return 'Standard';
  if (!user.account.hasPassword) return 'Lite';
  if (!user.account.isVerified) return 'Unverified';
  return 'Standard';
}

/** Precedence: the provider is the source for email, names and verified; the local store for everything else. */
export function toUserItem(user: CombinedUser, encryptedId: string): UserItem {
  const { account, provider } = user;
  return {
    customerRegistrationId: account.uid,
    encryptedCustomerRegistrationId: encryptedId,
    email: provider?.email ?? account.email ?? '',
    firstName: provider?.firstName ?? text(account.profile.firstName),
    lastName: provider?.lastName ?? text(account.profile.lastName),
    state: stateOf(user),
    metadata: metadataOf(account),
    verified: provider ? provider.verified : account.isVerified,
  };
}

export function usersEnvelope(items: UserItem[], totalRecords = items.length) {
  return { message: { code: 'UsersOrchestrator_S200_02', text: 'Get completed.', type: 'Success' as const }, data: items, meta: { totalRecords } };
}

// Naviga's AuthSystem ids are not public (GAP): Roster numbers them in this fixed order.
const AUTH_SYSTEM_IDS: Record<UserProviderName | 'MG2', number> = { MG2: 1, Auth0: 2, Gigya: 3, SSOR: 4, Firefly: 5 };

const flag = (value: string) => value === 'true';
const int = (value: string) => (value === 'true' ? 1 : 0);

/** The legacy `Result.User` (PascalCase) of the seed, from the same combined record. */
export function toLegacyUser(user: CombinedUser, item: UserItem) {
  const m = item.metadata;
  const { account } = user;
  const authSystem = user.providerName ?? 'MG2';
  return {
    RegistrationId: account.numericId,
    LoginName: item.email,
    LoginPassword: null,
    CustomerRegistrationId: item.customerRegistrationId,
    EncryptedCustomerRegistrationId: item.encryptedCustomerRegistrationId,
    FirstName: item.firstName,
    LastName: item.lastName,
    Email: item.email,
    Gender: m.gender,
    Phone: m.phoneNumber,
    MobilePhone: m.cellPhone,
    OptInEVantageSubscriberRewards: flag(m.eadvan_flag),
    OptInSpecialOffers: flag(m.feat_flag),
    OptInContestAndPromotions: flag(m.promo_flag),
    OptInPaperlessBilling: flag(m.ebill_flag),
    OptInEEdition: flag(m.eedition_flag),
    OptInEEditionEmailNotification: flag(m.ee_email_flag),
    OptInSubscriberDiscounts: flag(m.dealdigger_flag),
    OptInAdvertiserEmails: flag(m.ads_flag),
    MemberEvent: flag(m.member_event_flag),
    ContentEngagement: flag(m.contentEngagement_flag),
    SUBCOM: flag(m.subcom_flag),
    Survey: flag(m.survey_flag),
    AccountUpdates: flag(m.accountUpdates_flag),
    DateOfBirth: m.dob,
    BirthYear: m.dobYYYY,
    AcceptsEmailOffers: int(m.acceptsEmailOffers),
    AcceptsEmailAds: int(m.acceptsEmailAds),
    AcceptsEmailPromotions: int(m.acceptsEmailPromotions),
    IsOkToEmail: int(m.isOkToEmail),
    IsOkToPhone: int(m.isOkToPhone),
    IsOkToMail: int(m.isOkToMail),
    AcceptsEENotification: int(m.acceptsEENotification),
    ChangeDate: account.updatedAt.toISOString(),
    DateRegistered: (account.registeredAt ?? account.createdAt).toISOString(),
    AddDate: account.createdAt.toISOString(),
    Photos: m.photo ? [{ Id: '1', Value: m.photo, Type: 'Photo' }] : [],
    IsSocial: account.externalIds.length > 0,
    DisplayName: m.displayName,
    AgreeToTerms: flag(m.agreeToTerms),
    OptOutMarketing: flag(m.optOutMarketing),
    Photo: m.photo,
    VerificationCode: null,
    Verified: item.verified,
    AuthSystem: { AuthSystemId: AUTH_SYSTEM_IDS[authSystem], AuthSystemCode: authSystem, AuthSystemName: authSystem },
    UserState: { UserStateId: item.state === 'Standard' ? 1 : item.state === 'Lite' ? 2 : 3, UserStateCode: item.state },
    BounceType: m.bounceType,
    LastLogoutDate: null,
    UrlPasswordChangeTicket: null,
    Metadata: m,
  };
}
