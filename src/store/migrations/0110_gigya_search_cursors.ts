import { type Kysely, sql } from 'kysely';

/**
 * Search cursors (Gigya accounts.search openCursor/cursorId): the query, its snapshot bound and
 * the keyset position, so any Roster process can serve the next page and a failed page can be
 * asked again with the same cursor id. Rows are immutable; each page writes the next cursor.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE search_cursors (
      tenant_id    text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id           text NOT NULL,
      query        jsonb NOT NULL,
      snapshot_at  timestamptz NOT NULL,
      position     jsonb,
      page_size    integer NOT NULL,
      total_count  bigint NOT NULL,
      context      jsonb NOT NULL,
      expires_at   timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE INDEX search_cursors_expiry ON search_cursors (tenant_id, expires_at)`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE search_cursors`.execute(db);
}
