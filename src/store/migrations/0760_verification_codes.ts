import { type Kysely, sql } from 'kysely';

/**
 * Six-digit email verification codes (Naviga VerificationCode / Verification) among the person
 * tokens, with a count of wrong guesses: a code ends after a few misses, so six digits cannot be
 * guessed through the endpoint.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE person_tokens DROP CONSTRAINT IF EXISTS person_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE person_tokens ADD CONSTRAINT person_tokens_purpose_check
    CHECK (purpose IN ('registration', 'password_reset', 'email_verification', 'one_time_password', 'verification_code'))`.execute(db);
  await sql`ALTER TABLE person_tokens ADD COLUMN IF NOT EXISTS misses integer NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DELETE FROM person_tokens WHERE purpose = 'verification_code'`.execute(db);
  await sql`ALTER TABLE person_tokens DROP COLUMN IF EXISTS misses`.execute(db);
  await sql`ALTER TABLE person_tokens DROP CONSTRAINT IF EXISTS person_tokens_purpose_check`.execute(db);
  await sql`ALTER TABLE person_tokens ADD CONSTRAINT person_tokens_purpose_check
    CHECK (purpose IN ('registration', 'password_reset', 'email_verification', 'one_time_password'))`.execute(db);
}
