import { type Kysely, sql } from 'kysely';

/**
 * Nonces of signed Gigya requests (403004 replay guard) and fixed-window rate counters per
 * application key (403048). In the database, not in memory: several processes share them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE gigya_nonces (
      tenant_id   text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      scope       text NOT NULL,
      nonce       text NOT NULL,
      expires_at  timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, scope, nonce)
    )`,
    sql`CREATE INDEX gigya_nonces_expiry ON gigya_nonces (tenant_id, expires_at)`,
    sql`CREATE TABLE gigya_rate_windows (
      tenant_id     text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      bucket        text NOT NULL,
      window_start  timestamptz NOT NULL,
      hits          integer NOT NULL,
      PRIMARY KEY (tenant_id, bucket, window_start)
    )`,
    sql`CREATE INDEX gigya_rate_windows_age ON gigya_rate_windows (tenant_id, window_start)`,
  ];
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE gigya_rate_windows`.execute(db);
  await sql`DROP TABLE gigya_nonces`.execute(db);
}
