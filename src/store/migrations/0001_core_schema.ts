import { type Kysely, sql } from 'kysely';

/**
 * The core store: tenants, sites, application keys, accounts, identifiers, subscriptions,
 * consents (with history), channel statuses and the outbox.
 *
 * tenant_id leads every primary key and unique index so the schema can later be distributed
 * by tenant (Citus) without redesign. Frozen once merged: change the schema in a new file.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE tenants (
      id          text PRIMARY KEY,
      name        text NOT NULL UNIQUE,
      created_at  timestamptz NOT NULL
    )`,
    sql`CREATE TABLE sites (
      tenant_id          text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id                 text NOT NULL,
      name               text NOT NULL,
      gigya_api_key      text,
      gigya_secret_enc   text,
      boostcom_slug      text,
      naviga_client_code text,
      naviga_paper_code  text,
      naviga_group_code  text,
      settings           jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at         timestamptz NOT NULL,
      updated_at         timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, name)
    )`,
    // Facades find a site by its wire credential before they know the tenant.
    sql`CREATE UNIQUE INDEX sites_gigya_api_key ON sites (gigya_api_key) WHERE gigya_api_key IS NOT NULL`,
    sql`CREATE UNIQUE INDEX sites_boostcom_slug ON sites (boostcom_slug) WHERE boostcom_slug IS NOT NULL`,
    sql`CREATE UNIQUE INDEX sites_naviga_codes ON sites (naviga_client_code, naviga_paper_code, naviga_group_code)
        WHERE naviga_client_code IS NOT NULL`,

    sql`CREATE TABLE application_keys (
      tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id           text NOT NULL,
      user_key     text NOT NULL,
      secret_enc   text NOT NULL,
      label        text NOT NULL DEFAULT '',
      permissions  text[] NOT NULL DEFAULT '{}',
      public_key   text,
      created_at   timestamptz NOT NULL,
      revoked_at   timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE UNIQUE INDEX application_keys_user_key ON application_keys (user_key)`,

    sql`CREATE TABLE accounts (
      tenant_id        text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      uid              text NOT NULL,
      numeric_id       bigint GENERATED ALWAYS AS IDENTITY,
      has_lite_account boolean NOT NULL DEFAULT false,
      has_full_account boolean NOT NULL DEFAULT false,
      is_verified      boolean NOT NULL DEFAULT false,
      profile          jsonb NOT NULL DEFAULT '{}'::jsonb,
      data             jsonb NOT NULL DEFAULT '{}'::jsonb,
      password_hash    text,
      email_token      text NOT NULL,
      language         text,
      optin_channel    text,
      optin_subchannel text,
      created_site_id  text,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      registered_at    timestamptz,
      verified_at      timestamptz,
      version          integer NOT NULL DEFAULT 1,
      PRIMARY KEY (tenant_id, uid)
    )`,
    sql`CREATE UNIQUE INDEX accounts_numeric_id ON accounts (tenant_id, numeric_id)`,
    sql`CREATE UNIQUE INDEX accounts_email_token ON accounts (tenant_id, email_token)`,
    // Incremental export and search order by lastUpdated; uid breaks ties so cursors are stable.
    sql`CREATE INDEX accounts_updated_at ON accounts (tenant_id, updated_at, uid)`,
    sql`CREATE INDEX accounts_created_at ON accounts (tenant_id, created_at, uid)`,

    // email (normalised), msisdn (E.164 digits) and external provider subjects.
    // The foreign key is deferred so a new account's identifier can be claimed first:
    // the claim is what serialises concurrent creates of one email.
    sql`CREATE TABLE identifiers (
      tenant_id    text NOT NULL,
      kind         text NOT NULL,
      value        text NOT NULL,
      account_uid  text NOT NULL,
      is_primary   boolean NOT NULL DEFAULT true,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, kind, value),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
    )`,
    sql`CREATE INDEX identifiers_account ON identifiers (tenant_id, account_uid)`,

    sql`CREATE TABLE subscriptions (
      tenant_id                    text NOT NULL,
      account_uid                  text NOT NULL,
      subscription_id              text NOT NULL,
      channel                      text NOT NULL DEFAULT 'email',
      is_subscribed                boolean NOT NULL,
      tags                         text[] NOT NULL DEFAULT '{}',
      last_updated_state_at        timestamptz NOT NULL,
      doi_status                   text NOT NULL DEFAULT 'NotConfirmed'
                                   CHECK (doi_status IN ('NotConfirmed', 'Pending', 'Confirmed')),
      doi_email_sent_at            timestamptz,
      doi_confirmed_at             timestamptz,
      doi_conditionally_confirmed  boolean NOT NULL DEFAULT false,
      doi_request_ip               text,
      doi_request_user_agent       text,
      doi_confirm_ip               text,
      doi_confirm_user_agent       text,
      updated_at                   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, account_uid, subscription_id, channel),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    sql`CREATE INDEX subscriptions_by_id ON subscriptions (tenant_id, subscription_id, channel, last_updated_state_at)`,

    sql`CREATE TABLE consents (
      tenant_id    text NOT NULL,
      account_uid  text NOT NULL,
      consent_id   text NOT NULL,
      is_granted   boolean NOT NULL,
      version      text,
      source       text,
      attributes   jsonb NOT NULL DEFAULT '{}'::jsonb,
      updated_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, account_uid, consent_id),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    // History is kept as proof of consent even after the account is deleted.
    sql`CREATE TABLE consent_history (
      tenant_id    text NOT NULL,
      id           bigint GENERATED ALWAYS AS IDENTITY,
      account_uid  text NOT NULL,
      consent_id   text NOT NULL,
      is_granted   boolean NOT NULL,
      version      text,
      source       text,
      origin       jsonb NOT NULL DEFAULT '{}'::jsonb,
      recorded_at  timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE INDEX consent_history_account ON consent_history (tenant_id, account_uid, consent_id, id)`,

    sql`CREATE TABLE channel_statuses (
      tenant_id    text NOT NULL,
      account_uid  text NOT NULL,
      channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
      status       text NOT NULL,
      updated_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, account_uid, channel),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,

    // Append-only. seq gives a global order for the relay; delivery state lives elsewhere.
    sql`CREATE TABLE outbox_events (
      tenant_id    text NOT NULL,
      seq          bigint GENERATED ALWAYS AS IDENTITY,
      id           text NOT NULL,
      site_id      text,
      account_uid  text,
      type         text NOT NULL,
      payload      jsonb NOT NULL,
      origin       jsonb NOT NULL,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, seq)
    )`,
    sql`CREATE UNIQUE INDEX outbox_events_id ON outbox_events (tenant_id, id)`,
    sql`CREATE INDEX outbox_events_seq ON outbox_events (seq)`,
    sql`CREATE INDEX outbox_events_account ON outbox_events (tenant_id, account_uid, seq)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
