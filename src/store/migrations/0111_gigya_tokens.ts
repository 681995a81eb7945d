import { type Kysely, sql } from 'kysely';

/**
 * Tokens handed to people: lite tokens (Gigya accounts.getLiteToken, read an email account
 * without its UID) and double opt-in confirmation tokens (the one-click link). Only SHA-256
 * hashes are looked up; the confirmation token is also sealed (SecretBox) under the outbox event
 * that asked for it, so the email sender can put the link in the message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE lite_tokens (
      tenant_id    text NOT NULL,
      token_hash   text NOT NULL,
      account_uid  text NOT NULL,
      expires_at   timestamptz NOT NULL,
      created_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, token_hash),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    sql`CREATE INDEX lite_tokens_expiry ON lite_tokens (tenant_id, expires_at)`,
    sql`CREATE INDEX lite_tokens_account ON lite_tokens (tenant_id, account_uid)`,
    sql`CREATE TABLE doi_confirmations (
      tenant_id        text NOT NULL,
      event_id         text NOT NULL,
      token_hash       text NOT NULL,
      token_sealed     text NOT NULL,
      account_uid      text NOT NULL,
      subscription_id  text NOT NULL,
      channel          text NOT NULL,
      expires_at       timestamptz NOT NULL,
      used_at          timestamptz,
      created_at       timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, event_id),
      FOREIGN KEY (tenant_id, account_uid) REFERENCES accounts (tenant_id, uid) ON DELETE CASCADE
    )`,
    // The link carries only the token: the confirmation finds its tenant through the hash.
    sql`CREATE INDEX doi_confirmations_token ON doi_confirmations (token_hash)`,
    sql`CREATE INDEX doi_confirmations_account ON doi_confirmations (tenant_id, account_uid)`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE doi_confirmations`.execute(db);
  await sql`DROP TABLE lite_tokens`.execute(db);
}
