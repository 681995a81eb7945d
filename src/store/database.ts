import type { ColumnType, Generated } from 'kysely';

/** Kysely table types; snake_case as in SQL, mapped to the core's shapes by explicit to*() functions. */

type Timestamp = ColumnType<Date, Date, Date>;
/** jsonb: read as parsed JSON, written as a JSON string (node-pg would turn JS arrays into PG arrays). */
type Json<T> = ColumnType<T, string, string>;
/** int8 identity columns: the drivers return strings or numbers; inserts never set them. */
type Int8Identity = ColumnType<string | number, never, never>;

export interface TenantsTable {
  id: string;
  name: string;
  created_at: Timestamp;
}

export interface SitesTable {
  tenant_id: string;
  id: string;
  name: string;
  gigya_api_key: string | null;
  gigya_secret_enc: string | null;
  boostcom_slug: string | null;
  naviga_client_code: string | null;
  naviga_paper_code: string | null;
  naviga_group_code: string | null;
  settings: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationKeysTable {
  tenant_id: string;
  id: string;
  user_key: string;
  secret_enc: string;
  label: string;
  permissions: string[];
  public_key: string | null;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface AccountsTable {
  tenant_id: string;
  uid: string;
  numeric_id: Int8Identity;
  has_lite_account: boolean;
  has_full_account: boolean;
  is_verified: boolean;
  profile: Json<Record<string, unknown>>;
  data: Json<Record<string, unknown>>;
  password_hash: string | null;
  email_token: string;
  language: string | null;
  optin_channel: string | null;
  optin_subchannel: string | null;
  created_site_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  registered_at: Timestamp | null;
  verified_at: Timestamp | null;
  version: Generated<number>;
}

export interface IdentifiersTable {
  tenant_id: string;
  kind: string;
  value: string;
  account_uid: string;
  is_primary: Generated<boolean>;
  created_at: Timestamp;
}

export interface SubscriptionsTable {
  tenant_id: string;
  account_uid: string;
  subscription_id: string;
  channel: string;
  is_subscribed: boolean;
  tags: string[];
  last_updated_state_at: Timestamp;
  doi_status: string;
  doi_email_sent_at: Timestamp | null;
  doi_confirmed_at: Timestamp | null;
  doi_conditionally_confirmed: boolean;
  doi_request_ip: string | null;
  doi_request_user_agent: string | null;
  doi_confirm_ip: string | null;
  doi_confirm_user_agent: string | null;
  updated_at: Timestamp;
}

export interface ConsentsTable {
  tenant_id: string;
  account_uid: string;
  consent_id: string;
  is_granted: boolean;
  version: string | null;
  source: string | null;
  attributes: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface ConsentHistoryTable {
  tenant_id: string;
  id: Int8Identity;
  account_uid: string;
  consent_id: string;
  is_granted: boolean;
  version: string | null;
  source: string | null;
  origin: Json<Record<string, unknown>>;
  recorded_at: Timestamp;
}

export interface ChannelStatusesTable {
  tenant_id: string;
  account_uid: string;
  channel: string;
  status: string;
  updated_at: Timestamp;
}

export interface OutboxEventsTable {
  tenant_id: string;
  seq: Int8Identity;
  id: string;
  site_id: string | null;
  account_uid: string | null;
  type: string;
  payload: Json<Record<string, unknown>>;
  origin: Json<Record<string, unknown>>;
  created_at: Timestamp;
}

export interface OutboxFanoutQueueTable {
  tenant_id: string;
  seq: ColumnType<string | number, string | number, never>;
}

export interface WebhooksTable {
  tenant_id: string;
  id: string;
  name: string;
  url: string;
  event_types: string[];
  format: string;
  secret_enc: string | null;
  signing_user_key: string | null;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EventDeliveriesTable {
  tenant_id: string;
  sink: string;
  event_seq: ColumnType<string | number, string | number, never>;
  event_id: string;
  account_uid: string;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  lease_until: Timestamp | null;
  lease_owner: string | null;
  last_error: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface EventDeliveryLogTable {
  tenant_id: string;
  id: Int8Identity;
  sink: string;
  event_id: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  worker: string;
  at: Timestamp;
}

export interface MessageSendsTable {
  tenant_id: string;
  event_id: string;
  channel: string;
  recipient: string;
  state: string;
  template: string;
  attempts: Generated<number>;
  provider_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DevMailboxTable {
  tenant_id: string;
  id: Int8Identity;
  message_key: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  created_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  sites: SitesTable;
  application_keys: ApplicationKeysTable;
  accounts: AccountsTable;
  identifiers: IdentifiersTable;
  subscriptions: SubscriptionsTable;
  consents: ConsentsTable;
  consent_history: ConsentHistoryTable;
  channel_statuses: ChannelStatusesTable;
  outbox_events: OutboxEventsTable;
  gigya_nonces: GigyaNoncesTable;
  gigya_rate_windows: GigyaRateWindowsTable;
  bulk_import_jobs: BulkImportJobsTable;
  bulk_import_errors: BulkImportErrorsTable;
  outbox_fanout_queue: OutboxFanoutQueueTable;
  webhooks: WebhooksTable;
  event_deliveries: EventDeliveriesTable;
  event_delivery_log: EventDeliveryLogTable;
  message_sends: MessageSendsTable;
  dev_mailbox: DevMailboxTable;
  member_attributes: MemberAttributesTable;
  member_departures: MemberDeparturesTable;
  member_registration_passwords: MemberRegistrationPasswordsTable;
  club_clients: ClubClientsTable;
  member_imports: MemberImportsTable;
  search_cursors: SearchCursorsTable;
  lite_tokens: LiteTokensTable;
  doi_confirmations: DoiConfirmationsTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  admin_audit: AdminAuditTable;
  credential_states: CredentialStatesTable;
  sessions: SessionsTable;
  person_tokens: PersonTokensTable;
  signing_keys: SigningKeysTable;
}

export interface LiteTokensTable {
  tenant_id: string;
  token_hash: string;
  account_uid: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface DoiConfirmationsTable {
  tenant_id: string;
  event_id: string;
  token_hash: string;
  token_sealed: string;
  account_uid: string;
  subscription_id: string;
  channel: string;
  expires_at: Timestamp;
  used_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  site_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface SearchCursorsTable {
  tenant_id: string;
  id: string;
  query: Json<Record<string, unknown>>;
  snapshot_at: Timestamp;
  position: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  page_size: number;
  total_count: ColumnType<string | number, number, number>;
  context: Json<Record<string, unknown>>;
  expires_at: Timestamp;
}

export interface GigyaNoncesTable {
  tenant_id: string;
  scope: string;
  nonce: string;
  expires_at: Timestamp;
}

export interface GigyaRateWindowsTable {
  tenant_id: string;
  bucket: string;
  window_start: Timestamp;
  hits: ColumnType<number, number, number>;
}

/** int8 counters: node-pg returns strings, PGlite numbers; written as numbers. */
type Int8 = ColumnType<string | number, number | undefined, number>;

export interface BulkImportJobsTable {
  tenant_id: string;
  id: string;
  site_id: string | null;
  source: string;
  file_size: ColumnType<string | number | null, number | null, number | null>;
  fingerprint: string;
  format: string;
  status: string;
  lines_committed: Int8;
  rows_read: Int8;
  rows_failed: Int8;
  accounts_created: Int8;
  accounts_updated: Int8;
  error: string | null;
  origin: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

export interface BulkImportErrorsTable {
  tenant_id: string;
  job_id: string;
  line: ColumnType<string | number, number, number>;
  email: string | null;
  reason: string;
}

export interface MemberAttributesTable {
  tenant_id: string;
  account_uid: string;
  banned_until: Timestamp | null;
  person_id: ColumnType<string | number | null, number | null, number | null>;
  subunit_ids: Json<number[]>;
  favorite_stores: Json<number[]>;
  has_push_token: boolean;
  updated_at: Timestamp;
}

export interface MemberDeparturesTable {
  tenant_id: string;
  kind: string;
  value: string;
  person_id: ColumnType<string | number | null, number | null, number | null>;
  departed_at: Timestamp;
}

export interface MemberRegistrationPasswordsTable {
  tenant_id: string;
  site_id: string;
  kind: string;
  value: string;
  code_hash: string;
  expires_at: Timestamp;
  failed_attempts: Generated<number>;
  created_at: Timestamp;
}

export interface ClubClientsTable {
  tenant_id: string;
  id: string;
  site_id: string;
  name: string;
  token_lookup: string;
  permits: string[];
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export interface MemberImportsTable {
  tenant_id: string;
  id: string;
  site_id: string;
  state: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AdminUsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  totp_secret_enc: string | null;
  role: string;
  tenant_ids: string[];
  failed_logins: number;
  locked_until: Timestamp | null;
  disabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
}

export interface AdminSessionsTable {
  token_hash: string;
  admin_id: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface AdminAuditTable {
  id: Int8Identity;
  at: Timestamp;
  actor_id: string;
  actor: string;
  action: string;
  tenant_id: string | null;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: Json<Record<string, unknown>>;
}

export interface CredentialStatesTable {
  tenant_id: string;
  account_uid: string;
  failed_logins: Generated<number>;
  first_failed_at: Timestamp | null;
  locked_until: Timestamp | null;
  password_history: Generated<string[]>;
  password_changed_at: Timestamp | null;
  last_login_at: Timestamp | null;
  code_misses: Generated<number>;
  codes_window_start: Timestamp | null;
  codes_in_window: Generated<number>;
}

export interface SessionsTable {
  tenant_id: string;
  token_hash: string;
  account_uid: string;
  site_id: string;
  kind: string;
  secret_sealed: string | null;
  expires_at: Timestamp | null;
  created_at: Timestamp;
}

export interface PersonTokensTable {
  tenant_id: string;
  token_hash: string;
  purpose: string;
  account_uid: string | null;
  site_id: string;
  details: Json<Record<string, unknown>>;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
  /** Wrong guesses of a verification code (0760). */
  misses: Generated<number>;
}

export interface SigningKeysTable {
  tenant_id: string;
  site_id: string;
  kid: string;
  private_sealed: string;
  public_jwk: Json<Record<string, unknown>>;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}
