import { type Kysely, sql } from 'kysely';

/**
 * Sessions of the Naviga and Boostcom doors in the one sessions table: `bearer` (a Boostcom
 * access token, 24 h) and `refresh` (its refresh token, 1 year) beside Gigya's web and mobile
 * sessions, so a password change or a logout anywhere ends them all; and one-time passwords
 * (purpose one_time_password) among the person tokens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_kind_check`.execute(db);
  await sql`ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('web', 'mobile', 'bearer', 'refresh'))`.execute(db);
  await sql`ALTER TABLE person_tokens DROP CONSTRAINT IF EXISTS person_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE person_tokens ADD CONSTRAINT person_tokens_purpose_check
    CHECK (purpose IN ('registration', 'password_reset', 'email_verification', 'one_time_password'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM person_tokens WHERE purpose = 'one_time_password'`.execute(db);
  await sql`ALTER TABLE person_tokens DROP CONSTRAINT IF EXISTS person_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE person_tokens ADD CONSTRAINT person_tokens_purpose_check CHECK (purpose IN ('registration', 'password_reset', 'email_verification'))`.execute(
    db,
  );
  await sql`DELETE FROM sessions WHERE kind IN ('bearer', 'refresh')`.execute(db);
  await sql`ALTER TABLE sessions DROP CONSTRAINT IF EXISTS sessions_kind_check`.execute(db);
  await sql`ALTER TABLE sessions ADD CONSTRAINT sessions_kind_check CHECK (kind IN ('web', 'mobile'))`.execute(db);
}
