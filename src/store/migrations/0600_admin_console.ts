import { type Kysely, sql } from 'kysely';

/**
 * The operators of the admin console and API: admin users (argon2id password hash, TOTP secret
 * sealed with the SecretBox, role and the tenants it covers, failed-login counter and lock),
 * their sessions (only the SHA-256 of the session token is kept), and the audit log of every
 * admin action and every view of a person. Admin users span tenants (an owner sees them all),
 * so these tables are keyed by admin id; the audit log carries the tenant acted on.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE admin_users (
      id               text PRIMARY KEY,
      email            text NOT NULL UNIQUE,
      name             text NOT NULL DEFAULT '',
      password_hash    text NOT NULL,
      totp_secret_enc  text,
      role             text NOT NULL CHECK (role IN ('owner', 'tenant_admin', 'support', 'viewer')),
      tenant_ids       text[] NOT NULL DEFAULT '{}',
      failed_logins    integer NOT NULL DEFAULT 0,
      locked_until     timestamptz,
      disabled         boolean NOT NULL DEFAULT false,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      last_login_at    timestamptz
    )`,
    sql`CREATE TABLE admin_sessions (
      token_hash    text PRIMARY KEY,
      admin_id      text NOT NULL REFERENCES admin_users(id) ON DELETE CASCADE,
      ip            text,
      user_agent    text,
      created_at    timestamptz NOT NULL,
      last_seen_at  timestamptz NOT NULL,
      expires_at    timestamptz NOT NULL
    )`,
    sql`CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id)`,
    sql`CREATE TABLE admin_audit (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at           timestamptz NOT NULL,
      actor_id     text NOT NULL,
      actor        text NOT NULL,
      action       text NOT NULL,
      tenant_id    text,
      target       text,
      ip           text,
      user_agent   text,
      detail       jsonb NOT NULL DEFAULT '{}'::jsonb
    )`,
    sql`CREATE INDEX admin_audit_tenant ON admin_audit (tenant_id, id)`,
    sql`CREATE INDEX admin_audit_target ON admin_audit (tenant_id, target, id)`,
  ];
  for (const statement of statements) await statement.execute(db);
}
