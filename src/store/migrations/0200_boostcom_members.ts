import { type Kysely, sql } from 'kysely';

/**
 * Loyalty-club members (Boostcom facade): member attributes beyond the core account, departed
 * members for person_id lookups, registration passwords, club client tokens and member imports.
 * tenant_id leads every key. Frozen once merged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    // One row per account that has member-only fields; accounts from other doors have none (defaults apply).
    sql`CREATE TABLE member_attributes (
      tenant_id        text NOT NULL,
      account_uid      text NOT NULL,
      banned_until     timestamptz,
      person_id        bigint,
      subunit_ids      jsonb NOT NULL DEFAULT '[]'::jsonb,
      favorite_stores  jsonb NOT NULL DEFAULT '[]'::jsonb,
      has_push_token   boolean NOT NULL DEFAULT false,
      updated_at       timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, account_uid),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    // A deleted member under each key it was known by (id, email, msisdn), kept 30 days for person_id.
    sql`CREATE TABLE member_departures (
      tenant_id    text NOT NULL,
      kind         text NOT NULL,
      value        text NOT NULL,
      person_id    bigint,
      departed_at  timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, kind, value)
    )`,
    sql`CREATE TABLE member_registration_passwords (
      tenant_id        text NOT NULL,
      site_id          text NOT NULL,
      kind             text NOT NULL,
      value            text NOT NULL,
      code_hash        text NOT NULL,
      expires_at       timestamptz NOT NULL,
      failed_attempts  integer NOT NULL DEFAULT 0,
      created_at       timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, site_id, kind, value)
    )`,
    // token_lookup = SHA-256 of the token (hex): tokens are high-entropy, so the hash is a safe, indexable verifier.
    sql`CREATE TABLE club_clients (
      tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id            text NOT NULL,
      site_id       text NOT NULL,
      name          text NOT NULL,
      token_lookup  text NOT NULL,
      permits       text[] NOT NULL DEFAULT '{}',
      created_at    timestamptz NOT NULL,
      revoked_at    timestamptz,
      PRIMARY KEY (tenant_id, id),
      UNIQUE (tenant_id, site_id, name)
    )`,
    sql`CREATE UNIQUE INDEX club_clients_token ON club_clients (tenant_id, token_lookup)`,
    sql`CREATE TABLE member_imports (
      tenant_id   text NOT NULL,
      id          text NOT NULL,
      site_id     text NOT NULL,
      state       jsonb NOT NULL,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    // Member list filters by property value: a GIN index serves profile @> '{"k":"v"}'.
    sql`CREATE INDEX accounts_profile ON accounts USING gin (profile jsonb_path_ops)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
