import { type Kysely, sql } from 'kysely';

/**
 * Credentials and sessions (one service for every door): login failure counters and password
 * history per person, sessions and person tokens (registration, reset, verification) kept only
 * as SHA-256 hashes, and per-site JWT signing keys whose private half is sealed with the master key.
 * The current password hash stays in accounts.password_hash.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE credential_states (
      tenant_id            text NOT NULL,
      account_uid          text NOT NULL,
      failed_logins        integer NOT NULL DEFAULT 0,
      first_failed_at      timestamptz,
      locked_until         timestamptz,
      password_history     text[] NOT NULL DEFAULT '{}',
      password_changed_at  timestamptz,
      last_login_at        timestamptz,
      PRIMARY KEY (tenant_id, account_uid),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    sql`CREATE TABLE sessions (
      tenant_id      text NOT NULL,
      token_hash     text NOT NULL,
      account_uid    text NOT NULL,
      site_id        text NOT NULL,
      kind           text NOT NULL CHECK (kind IN ('web', 'mobile')),
      secret_sealed  text,
      expires_at     timestamptz,
      created_at     timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, token_hash),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    sql`CREATE INDEX sessions_account ON sessions (tenant_id, account_uid)`,
    sql`CREATE TABLE person_tokens (
      tenant_id    text NOT NULL,
      token_hash   text NOT NULL,
      purpose      text NOT NULL CHECK (purpose IN ('registration', 'password_reset', 'email_verification')),
      account_uid  text,
      site_id      text NOT NULL,
      details      jsonb NOT NULL DEFAULT '{}'::jsonb,
      expires_at   timestamptz NOT NULL,
      used_at      timestamptz,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, token_hash),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    sql`CREATE INDEX person_tokens_account ON person_tokens (tenant_id, account_uid, purpose)`,
    sql`CREATE TABLE signing_keys (
      tenant_id       text NOT NULL,
      site_id         text NOT NULL,
      kid             text NOT NULL,
      private_sealed  text NOT NULL,
      public_jwk      jsonb NOT NULL,
      created_at      timestamptz NOT NULL,
      retired_at      timestamptz,
      PRIMARY KEY (tenant_id, site_id, kid)
    )`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['signing_keys', 'person_tokens', 'sessions', 'credential_states']) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
