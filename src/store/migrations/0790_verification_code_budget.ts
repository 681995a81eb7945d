import { type Kysely, sql } from 'kysely';

/**
 * The 6-digit code budget of a person, beside their login failures: wrong codes counted across
 * every code they are sent (a new code does not restore guesses), and the codes sent in the
 * current hour (re-sends are throttled).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credential_states
    ADD COLUMN IF NOT EXISTS code_misses integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS codes_window_start timestamptz,
    ADD COLUMN IF NOT EXISTS codes_in_window integer NOT NULL DEFAULT 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE credential_states
    DROP COLUMN IF EXISTS code_misses,
    DROP COLUMN IF EXISTS codes_window_start,
    DROP COLUMN IF EXISTS codes_in_window`.execute(db);
}
