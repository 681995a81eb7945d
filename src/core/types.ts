/** The core's vocabulary. No wire names here: facades translate to and from these shapes. */

import type { VendorEventCoder } from './events.js';

type Brand<T, B extends string> = T & { readonly __brand: B };
export type TenantId = Brand<string, 'TenantId'>;
export type SiteId = Brand<string, 'SiteId'>;
export type AccountUid = Brand<string, 'AccountUid'>;
export type KeyId = Brand<string, 'KeyId'>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface Tenant {
  id: TenantId;
  name: string;
  createdAt: Date;
}

export interface Site {
  tenantId: TenantId;
  id: SiteId;
  name: string;
  gigyaApiKey: string | null;
  boostcomSlug: string | null;
  naviga: { clientCode: string; paperCode: string; groupCode: string } | null;
  /** Per-facade settings (schemas, club settings, providers); each facade owns its key. */
  settings: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApplicationKey {
  tenantId: TenantId;
  id: KeyId;
  userKey: string;
  label: string;
  permissions: string[];
  /** PEM public key for bearer-JWT authentication, when registered. */
  publicKey: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** `username`: a login name where the site allows one (Gigya loginIDs.username). */
export type IdentifierKind = 'email' | 'msisdn' | 'username' | `external:${string}`;

export interface Identifier {
  kind: IdentifierKind;
  value: string;
}

export type DoubleOptInStatus = 'NotConfirmed' | 'Pending' | 'Confirmed';

export interface DoubleOptIn {
  status: DoubleOptInStatus;
  emailSentAt: Date | null;
  confirmedAt: Date | null;
  conditionallyConfirmed: boolean;
  /** Proof of consent: who asked for the subscription and who confirmed it. */
  requestIp: string | null;
  requestUserAgent: string | null;
  confirmIp: string | null;
  confirmUserAgent: string | null;
}

export type Channel = 'email' | 'sms' | 'push';

export interface Subscription {
  subscriptionId: string;
  channel: Channel;
  isSubscribed: boolean;
  tags: string[];
  lastUpdatedStateAt: Date;
  doubleOptIn: DoubleOptIn;
}

export interface Consent {
  consentId: string;
  isGranted: boolean;
  version: string | null;
  source: string | null;
  /** Vendor-specific extras carried with the consent (Gigya tags, lang, customData…). */
  attributes: JsonObject;
  updatedAt: Date;
}

export type ChannelStatusValue = 'enabled' | 'disabled' | 'hard_bounced' | 'verified' | 'unsubscribed';

export interface Account {
  tenantId: TenantId;
  uid: AccountUid;
  /** Stable integer id for wires that need one (Boostcom member id). */
  numericId: number;
  email: string | null;
  msisdn: string | null;
  externalIds: Identifier[];
  hasLiteAccount: boolean;
  hasFullAccount: boolean;
  isVerified: boolean;
  hasPassword: boolean;
  profile: JsonObject;
  data: JsonObject;
  /** Token of the email account (Gigya emailAccounts.token), used for one-click unsubscribe. */
  emailToken: string;
  language: string | null;
  optinChannel: string | null;
  optinSubchannel: string | null;
  createdSiteId: SiteId | null;
  createdAt: Date;
  updatedAt: Date;
  registeredAt: Date | null;
  verifiedAt: Date | null;
  version: number;
}

/** An account with everything that hangs off it, as facades render it. */
export interface AccountView extends Account {
  subscriptions: Subscription[];
  consents: Consent[];
  channels: Partial<Record<Channel, ChannelStatusValue>>;
}

/** Who made a change: written on every outbox event so consumers can skip their own writes. */
export interface Origin {
  facade: 'gigya' | 'naviga' | 'boostcom' | 'cli' | 'import' | 'system' | 'admin';
  keyId?: string;
  sourceSystem?: string;
  ip?: string;
  userAgent?: string;
}

/** The caller's position: which tenant and site a use case runs in, and who asked. */
export interface CallContext {
  tenantId: TenantId;
  siteId: SiteId | null;
  origin: Origin;
  /** The calling door's names for the events this call records (Naviga's event codes); written beside them. */
  vendorEvents?: VendorEventCoder;
}

/**
 * What a loyalty-club member has beyond the core account (Boostcom member model, spec B.4).
 * Kept in its own table: an account imported through another door simply has the defaults.
 */
export interface MemberAttributes {
  bannedUntil: Date | null;
  /** Set once at creation and never changed (spec B.9.5); survives the member for 30 days. */
  personId: number | null;
  subunitIds: number[];
  favoriteStores: number[];
  hasPushToken: boolean;
}

export interface MemberView extends AccountView {
  member: MemberAttributes;
}

/** A client of a loyalty club (Boostcom API token holder) and the permits its token carries. */
export interface ClubClient {
  tenantId: TenantId;
  id: string;
  siteId: SiteId;
  name: string;
  permits: string[];
  createdAt: Date;
  revokedAt: Date | null;
}
