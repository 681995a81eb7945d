import type { AccountFilter, AccountQuery, KeysetPosition } from './account-query.js';
import type { DomainEvent } from './events.js';
import type {
  Account,
  AccountUid,
  ApplicationKey,
  Channel,
  ChannelStatusValue,
  Consent,
  IdentifierKind,
  JsonObject,
  KeyId,
  Origin,
  Site,
  SiteId,
  Subscription,
  Tenant,
  TenantId,
} from './types.js';

/** What the core needs from the outside world. The store, clock and ids are injected. */

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** Account UID: 32 lowercase hex characters, the form Gigya UIDs take. */
  uid(): AccountUid;
  /** Event ids, tenant and site ids. */
  uuid(): string;
  /** An unguessable URL-safe token of the given number of random bytes. */
  token(bytes: number): string;
}

/** Authenticated encryption for secrets that must be recoverable (HMAC keys). */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

export interface NewSite {
  tenantId: TenantId;
  id: SiteId;
  name: string;
  gigyaApiKey: string | null;
  gigyaSecretEnc: string | null;
  boostcomSlug: string | null;
  naviga: Site['naviga'];
  settings: JsonObject;
  createdAt: Date;
}

export interface SitePatch {
  name?: string;
  gigyaApiKey?: string | null;
  gigyaSecretEnc?: string | null;
  boostcomSlug?: string | null;
  naviga?: Site['naviga'];
  settings?: JsonObject;
  updatedAt: Date;
}

export interface StoredKey {
  key: ApplicationKey;
  secretEnc: string;
}

export interface NewAccount {
  tenantId: TenantId;
  uid: AccountUid;
  hasLiteAccount: boolean;
  hasFullAccount: boolean;
  isVerified: boolean;
  profile: JsonObject;
  data: JsonObject;
  passwordHash: string | null;
  emailToken: string;
  language: string | null;
  optinChannel: string | null;
  optinSubchannel: string | null;
  createdSiteId: SiteId | null;
  now: Date;
}

export interface AccountPatch {
  hasLiteAccount?: boolean;
  hasFullAccount?: boolean;
  isVerified?: boolean;
  profile?: JsonObject;
  data?: JsonObject;
  passwordHash?: string | null;
  language?: string | null;
  registeredAt?: Date | null;
  verifiedAt?: Date | null;
  now: Date;
}

export interface OutboxRecord {
  id: string;
  tenantId: TenantId;
  siteId: SiteId | null;
  event: DomainEvent;
  origin: Origin;
  createdAt: Date;
}

/** One page of a search: the query, a snapshot bound and where the page starts. */
export interface AccountSearchSpec {
  query: AccountQuery;
  /** Only accounts last updated at or before this instant (a cursor's snapshot); null: no bound. */
  updatedAtMost: Date | null;
  /** Keyset start (exclusive); null: from the beginning (or `offset`). */
  after: KeysetPosition | null;
  offset: number;
  limit: number;
}

export interface AccountSearchPage {
  accounts: Account[];
  /** The keyset position of each returned account, in order. */
  positions: KeysetPosition[];
}

/** A search cursor's state: immutable once written; each page writes the next one. */
export interface SearchCursorRecord {
  tenantId: TenantId;
  id: string;
  query: AccountQuery;
  snapshotAt: Date;
  position: KeysetPosition | null;
  limit: number;
  totalCount: number;
  /** What the facade needs to render later pages (its projection); the core does not read it. */
  context: JsonObject;
  expiresAt: Date;
}

export interface SearchCursorRepo {
  insert(cursor: SearchCursorRecord): Promise<void>;
  /** The cursor when it exists for the tenant and has not expired at `now`. */
  find(tenantId: TenantId, id: string, now: Date): Promise<SearchCursorRecord | undefined>;
  prune(tenantId: TenantId, now: Date): Promise<void>;
}

export interface LiteTokenRepo {
  insert(token: { tenantId: TenantId; tokenHash: string; accountUid: AccountUid; expiresAt: Date; createdAt: Date }): Promise<void>;
  /** The account a live token reads. */
  findAccount(tenantId: TenantId, tokenHash: string, now: Date): Promise<AccountUid | undefined>;
  prune(tenantId: TenantId, now: Date): Promise<void>;
}

export interface DoiConfirmationRecord {
  tenantId: TenantId;
  /** The outbox event (subscription.confirmation_requested) that asked for the email. */
  eventId: string;
  tokenHash: string;
  /** The token sealed with the SecretBox, for the sender of the email. */
  tokenSealed: string;
  accountUid: AccountUid;
  subscriptionId: string;
  channel: Channel;
  expiresAt: Date;
  createdAt: Date;
}

export interface DoiConfirmationRepo {
  insert(confirmation: DoiConfirmationRecord): Promise<void>;
  findByEvent(tenantId: TenantId, eventId: string): Promise<{ tokenSealed: string; expiresAt: Date; usedAt: Date | null } | undefined>;
  /** Marks a live, unused token used and returns what it confirms; undefined when unknown, used or expired. */
  consume(
    tokenHash: string,
    now: Date,
  ): Promise<{ tenantId: TenantId; eventId: string; accountUid: AccountUid; subscriptionId: string; channel: Channel } | undefined>;
}

export interface TenantRepo {
  insert(tenant: Tenant): Promise<void>;
  findById(id: TenantId): Promise<Tenant | undefined>;
  findByName(name: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
}

export interface SiteRepo {
  insert(site: NewSite): Promise<Site>;
  update(tenantId: TenantId, id: SiteId, patch: SitePatch): Promise<Site | undefined>;
  findById(tenantId: TenantId, id: SiteId): Promise<Site | undefined>;
  findByName(tenantId: TenantId, name: string): Promise<Site | undefined>;
  findByGigyaApiKey(apiKey: string): Promise<Site | undefined>;
  findByBoostcomSlug(slug: string): Promise<Site | undefined>;
  findByNavigaCodes(clientCode: string, paperCode: string, groupCode: string): Promise<Site | undefined>;
  /** The sealed site (partner) secret, when one is set. */
  findGigyaSecret(tenantId: TenantId, id: SiteId): Promise<string | undefined>;
  list(tenantId: TenantId): Promise<Site[]>;
}

export interface KeyRepo {
  insert(key: ApplicationKey, secretEnc: string): Promise<void>;
  update(tenantId: TenantId, id: KeyId, patch: { label?: string; permissions?: string[]; publicKey?: string | null; secretEnc?: string }): Promise<void>;
  findByUserKey(userKey: string): Promise<StoredKey | undefined>;
  list(tenantId: TenantId): Promise<ApplicationKey[]>;
  revoke(tenantId: TenantId, userKey: string, at: Date): Promise<boolean>;
}

export interface AccountRepo {
  insert(account: NewAccount): Promise<Account>;
  /** Applies the patch only if the stored version is still `expectedVersion`; undefined otherwise. */
  update(tenantId: TenantId, uid: AccountUid, expectedVersion: number, patch: AccountPatch): Promise<Account | undefined>;
  /** Reads and locks the row until the transaction ends. */
  lock(tenantId: TenantId, uid: AccountUid): Promise<Account | undefined>;
  findByUid(tenantId: TenantId, uid: AccountUid): Promise<Account | undefined>;
  findByIdentifier(tenantId: TenantId, kind: IdentifierKind, value: string): Promise<Account | undefined>;
  findByEmailToken(tenantId: TenantId, token: string): Promise<Account | undefined>;
  findByNumericId(tenantId: TenantId, numericId: number): Promise<Account | undefined>;
  delete(tenantId: TenantId, uid: AccountUid): Promise<boolean>;
  count(tenantId: TenantId): Promise<number>;
  /** One page of accounts matching the query, in its order (parameterised SQL; indexed where the filter allows). */
  search(tenantId: TenantId, spec: AccountSearchSpec): Promise<AccountSearchPage>;
  /** How many accounts match the filter (under the snapshot bound when given). */
  countMatching(tenantId: TenantId, filter: AccountFilter | null, updatedAtMost: Date | null): Promise<number>;
}

export interface IdentifierRepo {
  /**
   * Claims (kind, value) for `candidateUid` unless another account holds it. Concurrent claims
   * of one value wait for each other, so exactly one wins; all see the same owner.
   */
  claim(tenantId: TenantId, kind: IdentifierKind, value: string, candidateUid: AccountUid, now: Date): Promise<{ ownerUid: AccountUid; claimed: boolean }>;
  release(tenantId: TenantId, kind: IdentifierKind, value: string, ownerUid: AccountUid): Promise<void>;
}

export interface SubscriptionRepo {
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<Subscription[]>;
  /** Subscriptions of many accounts in one query (search pages). */
  listForAccounts(tenantId: TenantId, uids: AccountUid[]): Promise<Map<AccountUid, Subscription[]>>;
  upsert(tenantId: TenantId, uid: AccountUid, subscription: Subscription, now: Date): Promise<void>;
}

export interface ConsentRepo {
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<Consent[]>;
  listForAccounts(tenantId: TenantId, uids: AccountUid[]): Promise<Map<AccountUid, Consent[]>>;
  upsert(tenantId: TenantId, uid: AccountUid, consent: Consent): Promise<void>;
  appendHistory(tenantId: TenantId, uid: AccountUid, consent: Consent, origin: Origin): Promise<void>;
  history(tenantId: TenantId, uid: AccountUid, consentId: string): Promise<Array<Consent & { origin: Origin }>>;
}

export interface ChannelRepo {
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<Partial<Record<Channel, ChannelStatusValue>>>;
  listForAccounts(tenantId: TenantId, uids: AccountUid[]): Promise<Map<AccountUid, Partial<Record<Channel, ChannelStatusValue>>>>;
  upsert(tenantId: TenantId, uid: AccountUid, channel: Channel, status: ChannelStatusValue, now: Date): Promise<void>;
}

export interface OutboxRepo {
  append(record: OutboxRecord): Promise<void>;
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<OutboxRecord[]>;
}

/**
 * Replay and rate guards for signed wire requests. Kept in the database so every Roster
 * process sees the same nonces and counters (DESIGN: shared state never only in memory).
 */
export interface RequestGuardRepo {
  /** Records `nonce` for `scope` until `expiresAt`; false when it is already held and not expired. */
  claimNonce(tenantId: TenantId, scope: string, nonce: string, expiresAt: Date, now: Date): Promise<boolean>;
  /** Counts one hit in the fixed window starting at `windowStart`; returns the window's hits so far. */
  countHit(tenantId: TenantId, bucket: string, windowStart: Date): Promise<number>;
  /** Drops expired nonces and windows older than `before` for the tenant. */
  prune(tenantId: TenantId, before: Date): Promise<void>;
}

export interface Repos {
  tenants: TenantRepo;
  sites: SiteRepo;
  keys: KeyRepo;
  accounts: AccountRepo;
  identifiers: IdentifierRepo;
  subscriptions: SubscriptionRepo;
  consents: ConsentRepo;
  channels: ChannelRepo;
  outbox: OutboxRepo;
  requestGuards: RequestGuardRepo;
  searchCursors: SearchCursorRepo;
  liteTokens: LiteTokenRepo;
  doiConfirmations: DoiConfirmationRepo;
}

export interface Store extends Repos {
  readonly engine: 'pglite' | 'postgres';
  /** Runs `work` in one transaction: everything in it commits together or not at all. */
  transaction<T>(work: (tx: Repos) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
