import { type Kysely, sql } from 'kysely';

/**
 * The site a double opt-in link was asked for through, so the person-facing pages of that link
 * (confirm, confirmed, already used, expired) carry the site's name, logo, colours and language.
 * Null for links made before this column: they get the default look.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE doi_confirmations ADD COLUMN site_id text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE doi_confirmations DROP COLUMN site_id`.execute(db);
}
