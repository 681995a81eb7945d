import type { AccountFilter, AccountQuery, KeysetPosition } from './account-query.js';
import type { AdminSessionRepo, AdminUserRepo, AuditRepo, ConsoleReadRepo } from './admin-ports.js';
import type { DomainEvent } from './events.js';
import type {
  Account,
  AccountUid,
  AccountView,
  ApplicationKey,
  Channel,
  ChannelStatusValue,
  ClubClient,
  Consent,
  Identifier,
  IdentifierKind,
  JsonObject,
  KeyId,
  MemberAttributes,
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

/** One-way password hashing (argon2id): for secrets that need checking, never reading back. */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

/** Authenticated encryption for secrets that must be recoverable (HMAC keys). */
export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
  /**
   * A 32-byte key for one purpose, derived from the master key (HKDF-SHA256 with `info`), so
   * per-tenant keys need no storage and never exist apart from the master key.
   */
  deriveKey(info: string): Uint8Array;
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

/** A new account written in one statement with what it starts with (AccountRepo.insertIfIdentifierFree). */
export interface NewAccountWrite {
  account: NewAccount;
  /** Claimed first: when another account holds it, nothing of this write is stored. */
  identifier: Identifier;
  subscriptions: Subscription[];
  channels: Partial<Record<Channel, ChannelStatusValue>>;
  /** A club member's attributes: default ones, its person id being the new numeric id. */
  member?: { favoriteStores: number[] };
  events: OutboxRecord[];
  /** Ids of the events whose payload.memberId is the new numeric id, which only the insert knows. */
  memberIdEventIds?: string[];
}

export interface NewAccountWritten {
  account: Account;
  /** Present when the write had `member`. */
  member?: MemberAttributes;
}

export interface AccountPatch {
  optinChannel?: string | null;
  optinSubchannel?: string | null;
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
  /** With their subscriptions, consents and channel statuses, read in the same statement. */
  accounts: AccountView[];
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
  /** The site the confirmation was asked through: its pages carry that site's look. */
  siteId: SiteId | null;
}

/** What a link token is, without using it (the page that asks the person to confirm). */
export interface DoiLinkRecord {
  tenantId: TenantId;
  siteId: SiteId | null;
  subscriptionId: string;
  channel: Channel;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface DoiConfirmationRepo {
  insert(confirmation: DoiConfirmationRecord): Promise<void>;
  findByToken(tokenHash: string): Promise<DoiLinkRecord | undefined>;
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
  /**
   * In ONE statement (atomic without a transaction): claims the write's identifier for the new
   * account and, only if nobody holds it, inserts the account with everything the write carries.
   * Undefined, with nothing written, when the identifier belongs to another account (a concurrent
   * claim is waited for).
   */
  insertIfIdentifierFree(write: NewAccountWrite): Promise<NewAccountWritten | undefined>;
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

/** How one account is found: its uid, an identifier it holds, its email token or its numeric id. */
export type AccountKey = { uid: AccountUid } | { identifier: { kind: IdentifierKind; value: string } } | { emailToken: string } | { numericId: number };

/** Accounts with their subscriptions, consents and channel statuses, read in one statement. */
export interface AccountViewRepo {
  /** With `lock`, the account row is locked until the transaction ends (SELECT … FOR UPDATE). */
  find(tenantId: TenantId, key: AccountKey, options?: { lock?: boolean }): Promise<AccountView | undefined>;
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
  /** Inserts or replaces these subscriptions of one account (each key at most once) in one statement. */
  upsert(tenantId: TenantId, uid: AccountUid, subscriptions: Subscription[], now: Date): Promise<void>;
}

export interface ConsentRepo {
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<Consent[]>;
  upsert(tenantId: TenantId, uid: AccountUid, consent: Consent): Promise<void>;
  appendHistory(tenantId: TenantId, uid: AccountUid, consent: Consent, origin: Origin): Promise<void>;
  history(tenantId: TenantId, uid: AccountUid, consentId: string): Promise<Array<Consent & { origin: Origin }>>;
}

export interface ChannelRepo {
  listForAccount(tenantId: TenantId, uid: AccountUid): Promise<Partial<Record<Channel, ChannelStatusValue>>>;
  /** Sets the given channels' statuses in one statement (nothing for none). */
  upsert(tenantId: TenantId, uid: AccountUid, statuses: Partial<Record<Channel, ChannelStatusValue>>, now: Date): Promise<void>;
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
  /** Adds `hits` to the bucket's window and returns the window's total. */
  countHit(tenantId: TenantId, bucket: string, windowStart: Date, hits: number): Promise<number>;
  /** Drops expired nonces and windows older than `before` for the tenant. */
  prune(tenantId: TenantId, before: Date): Promise<void>;
}

/** The merge base of one account in a bulk batch: what the lite-import rules read. */
export interface BulkAccountState {
  uid: AccountUid;
  hasLiteAccount: boolean;
  profile: JsonObject;
  data: JsonObject;
}

/** Everything one bulk batch writes, computed by the core; the store writes each list set-based. */
export interface BulkWrites {
  newAccounts: Array<{ uid: AccountUid; profile: JsonObject; data: JsonObject; emailToken: string; createdSiteId: SiteId | null }>;
  updatedAccounts: Array<{ uid: AccountUid; profile: JsonObject; data: JsonObject }>;
  /** The final state of each (account, subscription, channel) that changed. */
  subscriptions: Array<{ uid: AccountUid; subscription: Subscription }>;
  /** The final state of each (account, consent) the batch touched: written whether or not it changed, as the API path does. */
  consents: Array<{ uid: AccountUid; consent: Consent }>;
  /** One history row per consent change, in order. */
  consentHistory: Array<{ uid: AccountUid; consent: Consent }>;
  events: OutboxRecord[];
  now: Date;
  origin: Origin;
}

/** Set-based reads and writes for bulk import and export: one statement per table per batch. */
export interface BulkRepo {
  /**
   * Claims each email for its candidate uid unless an account holds it (the same ON CONFLICT claim
   * as IdentifierRepo.claim, for many at once: it waits for concurrent claimers). Returns the owner per email.
   */
  claimEmails(tenantId: TenantId, claims: Array<{ email: string; candidateUid: AccountUid }>, now: Date): Promise<Map<string, AccountUid>>;
  /** Locks the accounts until the transaction ends and reads them with their subscriptions and consents. */
  lockForMerge(
    tenantId: TenantId,
    uids: AccountUid[],
  ): Promise<{ accounts: Map<AccountUid, BulkAccountState>; subscriptions: Map<AccountUid, Subscription[]>; consents: Map<AccountUid, Consent[]> }>;
  write(tenantId: TenantId, writes: BulkWrites): Promise<void>;
  /** Accounts in (updated_at, uid) order after the cursor, with what hangs off them. */
  exportPage(
    tenantId: TenantId,
    options: { since: Date | null; after: { updatedAt: Date; uid: AccountUid } | null; limit: number; kind: 'all' | 'lite' | 'full' },
  ): Promise<AccountView[]>;
}

export type ImportJobStatus = 'running' | 'done' | 'failed' | 'abandoned';
export type ImportFormat = 'ndjson' | 'csv';

export interface ImportJob {
  tenantId: TenantId;
  id: string;
  siteId: SiteId | null;
  /** The file path, or `upload:<name>` for a body received over HTTP. */
  source: string;
  fileSize: number | null;
  fingerprint: string;
  format: ImportFormat;
  status: ImportJobStatus;
  /** Every line up to and including this one is applied (or reported bad). */
  linesCommitted: number;
  rowsRead: number;
  rowsFailed: number;
  accountsCreated: number;
  accountsUpdated: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface ImportRowError {
  line: number;
  email: string | null;
  reason: string;
}

export interface ImportJobRepo {
  /** Inserts a running job; DomainError 'import.job_running' when the tenant already has one. */
  insert(job: ImportJob, origin: Origin): Promise<void>;
  findById(tenantId: TenantId, id: string): Promise<ImportJob | undefined>;
  findRunning(tenantId: TenantId): Promise<ImportJob | undefined>;
  /** Locks the job row for the batch transaction and returns its committed line. */
  lockProgress(tenantId: TenantId, id: string): Promise<{ linesCommitted: number; status: ImportJobStatus } | undefined>;
  advance(
    tenantId: TenantId,
    id: string,
    delta: { linesCommitted: number; rowsRead: number; rowsFailed: number; accountsCreated: number; accountsUpdated: number; at: Date },
  ): Promise<void>;
  appendErrors(tenantId: TenantId, id: string, errors: ImportRowError[]): Promise<void>;
  listErrors(tenantId: TenantId, id: string, afterLine: number, limit: number): Promise<ImportRowError[]>;
  finish(tenantId: TenantId, id: string, status: ImportJobStatus, error: string | null, at: Date): Promise<void>;
  list(tenantId: TenantId, limit: number): Promise<ImportJob[]>;
}

export type WebhookFormat = 'roster' | 'gigya' | 'boostcom-v2';

/** A tenant's webhook subscription as stored: the secret stays sealed here. */
export interface StoredWebhook {
  tenantId: TenantId;
  id: string;
  name: string;
  url: string;
  /** Roster event types ("account.updated"), gigya names for gigya webhooks, or "*". */
  eventTypes: string[];
  format: WebhookFormat;
  secretEnc: string | null;
  /** Sign with this application key's secret instead (Gigya webhooks name the key: accounts.webhooks.set userKey). */
  signingUserKey: string | null;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberQuery {
  limit: number;
  offset: number;
  numericIds?: number[];
  /** property name → accepted values (any of) */
  properties?: Record<string, string[]>;
  languages?: string[];
}

export interface MemberDeparture {
  personId: number | null;
  departedAt: Date;
}

/** What hangs off one account, loaded for many accounts at once (member lists). */
export interface AccountExtras {
  subscriptions: Subscription[];
  consents: Consent[];
  channels: Partial<Record<Channel, ChannelStatusValue>>;
  member: MemberAttributes | undefined;
}

export interface MemberRepo {
  /** Subscriptions, consents, channel statuses and member attributes of many accounts in a few queries. */
  extrasFor(tenantId: TenantId, uids: AccountUid[]): Promise<Map<AccountUid, AccountExtras>>;
  findAttributes(tenantId: TenantId, uid: AccountUid): Promise<MemberAttributes | undefined>;
  /** Returns the attributes as stored (what findAttributes reads next). */
  upsertAttributes(tenantId: TenantId, uid: AccountUid, attributes: MemberAttributes, now: Date): Promise<MemberAttributes>;
  /** Accounts in creation order (created_at, uid) with the total that match. */
  list(tenantId: TenantId, query: MemberQuery): Promise<{ accounts: Account[]; total: number }>;
  /** Remembers a deleted member under each of its keys (id, email, msisdn) for person_id lookups. */
  recordDeparture(tenantId: TenantId, keys: Array<{ kind: string; value: string }>, personId: number | null, at: Date): Promise<void>;
  findDeparture(tenantId: TenantId, kind: string, value: string, since: Date): Promise<MemberDeparture | undefined>;
}

export interface StoredVerificationCode {
  codeHash: string;
  issuedAt: Date;
  expiresAt: Date;
  failedAttempts: number;
}

/** One outstanding registration password per (site, identifier); a new one replaces it. */
export interface VerificationCodeRepo {
  put(tenantId: TenantId, siteId: SiteId, kind: IdentifierKind, value: string, codeHash: string, expiresAt: Date, now: Date): Promise<void>;
  /** Reads and locks the code until the transaction ends. */
  lock(tenantId: TenantId, siteId: SiteId, kind: IdentifierKind, value: string): Promise<StoredVerificationCode | undefined>;
  recordFailure(tenantId: TenantId, siteId: SiteId, kind: IdentifierKind, value: string): Promise<void>;
  remove(tenantId: TenantId, siteId: SiteId, kind: IdentifierKind, value: string): Promise<void>;
}

export interface ClubClientRepo {
  upsert(client: ClubClient, tokenLookup: string | null): Promise<void>;
  findByTokenLookup(tenantId: TenantId, tokenLookup: string): Promise<ClubClient | undefined>;
  findByName(tenantId: TenantId, siteId: SiteId, name: string): Promise<ClubClient | undefined>;
  list(tenantId: TenantId, siteId: SiteId): Promise<ClubClient[]>;
}

export interface MemberImportRecord {
  tenantId: TenantId;
  id: string;
  siteId: SiteId;
  /** Counters and bulks as the imports API reports them (spec B.9.20); JSON owned by the facade. */
  state: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookRepo {
  upsert(webhook: StoredWebhook): Promise<void>;
  findByName(tenantId: TenantId, name: string): Promise<StoredWebhook | undefined>;
  findById(tenantId: TenantId, id: string): Promise<StoredWebhook | undefined>;
  list(tenantId: TenantId): Promise<StoredWebhook[]>;
  delete(tenantId: TenantId, id: string): Promise<boolean>;
}

export interface MemberImportRepo {
  upsert(record: MemberImportRecord): Promise<void>;
  /** Reads and locks the import until the transaction ends. */
  lock(tenantId: TenantId, siteId: SiteId, id: string): Promise<MemberImportRecord | undefined>;
  find(tenantId: TenantId, siteId: SiteId, id: string): Promise<MemberImportRecord | undefined>;
}

/** Login failures and password history of one person, shared by every door (credentials.ts). */
export interface CredentialState {
  failedLogins: number;
  firstFailedAt: Date | null;
  lockedUntil: Date | null;
  /** Previous password hashes, newest first. */
  passwordHistory: string[];
  passwordChangedAt: Date | null;
}

/** A person's 6-digit verification codes: wrong guesses across every code, and codes sent this window. */
export interface CodeBudget {
  misses: number;
  windowStart: Date | null;
  sentInWindow: number;
}

export interface CredentialStateRepo {
  find(tenantId: TenantId, uid: AccountUid): Promise<CredentialState | undefined>;
  /** Reads and locks the person's state until the transaction ends (a fresh state when none is stored). */
  lock(tenantId: TenantId, uid: AccountUid): Promise<CredentialState>;
  save(tenantId: TenantId, uid: AccountUid, state: CredentialState): Promise<void>;
  /** The stored password hash (accounts.password_hash), or undefined when the person has none. */
  findPasswordHash(tenantId: TenantId, uid: AccountUid): Promise<string | undefined>;
  /** A changed password: the account's version and lastUpdated move. */
  setPasswordHash(tenantId: TenantId, uid: AccountUid, hash: string, now: Date): Promise<void>;
  /** A rehash of the same password: replaces `expected` only, and leaves version and lastUpdated alone. */
  replacePasswordHash(tenantId: TenantId, uid: AccountUid, expected: string, hash: string): Promise<void>;
  recordLogin(tenantId: TenantId, uid: AccountUid, at: Date): Promise<void>;
  /** Reads and locks the person's code budget until the transaction ends (so guesses are judged one at a time). */
  lockCodeBudget(tenantId: TenantId, uid: AccountUid): Promise<CodeBudget>;
  saveCodeBudget(tenantId: TenantId, uid: AccountUid, budget: CodeBudget): Promise<void>;
  lastLogin(tenantId: TenantId, uid: AccountUid): Promise<Date | null>;
}

/** web and mobile: Gigya sessions; bearer and refresh: OAuth access and refresh tokens (Boostcom). */
export type SessionKind = 'web' | 'mobile' | 'bearer' | 'refresh';

/** A login session as stored: the token only as its SHA-256, the signing secret sealed. */
export interface StoredSession {
  tokenHash: string;
  accountUid: AccountUid;
  siteId: SiteId;
  kind: SessionKind;
  secretSealed: string | null;
  /** null: until logout. */
  expiresAt: Date | null;
  createdAt: Date;
}

export interface SessionRepo {
  insert(tenantId: TenantId, session: StoredSession): Promise<void>;
  /** A live session (not expired at `now`). */
  find(tenantId: TenantId, tokenHash: string, now: Date): Promise<StoredSession | undefined>;
  revoke(tenantId: TenantId, tokenHash: string): Promise<boolean>;
  /** Ends every session of the person except `keepTokenHash`; returns how many ended. */
  revokeAll(tenantId: TenantId, uid: AccountUid, keepTokenHash?: string): Promise<number>;
}

export type PersonTokenPurpose = 'registration' | 'password_reset' | 'email_verification' | 'one_time_password' | 'verification_code';

/** A single-use token handed to a person (regToken, reset link, verification link), stored as its SHA-256. */
export interface PersonToken {
  tokenHash: string;
  purpose: PersonTokenPurpose;
  accountUid: AccountUid | null;
  siteId: SiteId;
  details: JsonObject;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export interface PersonTokenRepo {
  insert(tenantId: TenantId, token: PersonToken): Promise<void>;
  /** A live (unexpired, unused) token of this purpose. */
  findLive(tenantId: TenantId, tokenHash: string, purpose: PersonTokenPurpose, now: Date): Promise<PersonToken | undefined>;
  /** Marks a live token used; false when it was already used or expired (a concurrent use lost). */
  use(tenantId: TenantId, tokenHash: string, now: Date): Promise<boolean>;
  attach(tenantId: TenantId, tokenHash: string, uid: AccountUid): Promise<void>;
  /** Ends the person's live tokens of this purpose (only the latest reset token stays valid). */
  expireFor(tenantId: TenantId, uid: AccountUid, purpose: PersonTokenPurpose, now: Date): Promise<void>;
}

/** A per-site JWT signing key: the private JWK sealed with the master key, the public JWK in clear. */
export interface SigningKeyRecord {
  kid: string;
  privateSealed: string;
  publicJwk: JsonObject;
  createdAt: Date;
  retiredAt: Date | null;
}

/** A new full account of a bulk import, with its registration and verification times. */
export interface NewFullAccount extends NewAccount {
  registeredAt: Date | null;
  verifiedAt: Date | null;
}

/** Set-based writes of `roster import --full`. */
export interface FullAccountBulkRepo {
  /** Which of these UIDs exist in the tenant. */
  existingUids(tenantId: TenantId, uids: string[]): Promise<Set<string>>;
  /** Inserts accounts whose email identifiers were claimed earlier in this transaction: one statement. */
  insertMany(accounts: NewFullAccount[]): Promise<void>;
}

export interface SigningKeyRepo {
  list(tenantId: TenantId, siteId: SiteId): Promise<SigningKeyRecord[]>;
  insert(tenantId: TenantId, siteId: SiteId, key: SigningKeyRecord): Promise<void>;
  retire(tenantId: TenantId, siteId: SiteId, kid: string, at: Date): Promise<void>;
}

export interface Repos {
  tenants: TenantRepo;
  sites: SiteRepo;
  keys: KeyRepo;
  accounts: AccountRepo;
  accountViews: AccountViewRepo;
  identifiers: IdentifierRepo;
  subscriptions: SubscriptionRepo;
  consents: ConsentRepo;
  channels: ChannelRepo;
  outbox: OutboxRepo;
  requestGuards: RequestGuardRepo;
  bulk: BulkRepo;
  importJobs: ImportJobRepo;
  webhooks: WebhookRepo;
  members: MemberRepo;
  verificationCodes: VerificationCodeRepo;
  clubClients: ClubClientRepo;
  memberImports: MemberImportRepo;
  searchCursors: SearchCursorRepo;
  liteTokens: LiteTokenRepo;
  doiConfirmations: DoiConfirmationRepo;
  adminUsers: AdminUserRepo;
  adminSessions: AdminSessionRepo;
  audit: AuditRepo;
  consoleReads: ConsoleReadRepo;
  credentialStates: CredentialStateRepo;
  sessions: SessionRepo;
  personTokens: PersonTokenRepo;
  signingKeys: SigningKeyRepo;
  fullAccountBulk: FullAccountBulkRepo;
}

/** Seals and opens secrets kept in a site's settings, bound to the site and the setting's path. */
export interface SettingSealer {
  seal(path: string, plaintext: string): string;
  open(path: string, sealed: string): string;
}

/**
 * A facade's rules for its block of a site in a provisioning document (`roster apply`), so the
 * core's provisioning checks and stores facade settings without importing a facade.
 */
export interface SiteBlockRule {
  /** What is wrong with the block beyond its schema; empty when it is valid. */
  problems(block: unknown): string[];
  /** The value stored as site.settings[facade]: secrets sealed, reusing `previous` sealed values that still match. */
  stored(block: unknown, previous: JsonObject | undefined, sealer: SettingSealer): JsonObject;
  /** The stored value back as the block a document gives (secrets in clear), or undefined when it cannot be opened. */
  opened(stored: JsonObject, sealer: SettingSealer): JsonObject | undefined;
}

export interface SiteBlockRules {
  naviga: SiteBlockRule;
  boostcom: SiteBlockRule;
}

export interface Store extends Repos {
  readonly engine: 'pglite' | 'postgres';
  /**
   * Runs `work` in one transaction: everything in it commits together or not at all. With
   * `person` (see personKey), the work writes that one person only, and the store may run it
   * inside a transaction shared with concurrent work for other people (group commit): in its
   * own savepoint, so its failure undoes only its own writes. Work for one person never shares.
   */
  transaction<T>(work: (tx: Repos) => Promise<T>, options?: { person?: string }): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
