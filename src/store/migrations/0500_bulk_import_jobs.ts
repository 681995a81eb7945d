import { type Kysely, sql } from 'kysely';

/**
 * Bulk import jobs and their bad rows. A job's progress (lines_committed and the counts) is
 * updated in the same transaction as each batch it covers, so a restarted job resumes exactly
 * after the last committed batch. One unfinished job per tenant, enforced by a partial unique index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`CREATE TABLE bulk_import_jobs (
      tenant_id         text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      id                text NOT NULL,
      site_id           text,
      source            text NOT NULL,
      file_size         bigint,
      fingerprint       text NOT NULL,
      format            text NOT NULL CHECK (format IN ('ndjson', 'csv')),
      status            text NOT NULL CHECK (status IN ('running', 'done', 'failed', 'abandoned')),
      lines_committed   bigint NOT NULL DEFAULT 0,
      rows_read         bigint NOT NULL DEFAULT 0,
      rows_failed       bigint NOT NULL DEFAULT 0,
      accounts_created  bigint NOT NULL DEFAULT 0,
      accounts_updated  bigint NOT NULL DEFAULT 0,
      error             text,
      origin            jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at        timestamptz NOT NULL,
      updated_at        timestamptz NOT NULL,
      finished_at       timestamptz,
      PRIMARY KEY (tenant_id, id)
    )`,
    sql`CREATE UNIQUE INDEX bulk_import_jobs_one_running ON bulk_import_jobs (tenant_id) WHERE status = 'running'`,
    sql`CREATE INDEX bulk_import_jobs_created ON bulk_import_jobs (tenant_id, created_at)`,
    sql`CREATE TABLE bulk_import_errors (
      tenant_id  text NOT NULL,
      job_id     text NOT NULL,
      line       bigint NOT NULL,
      email      text,
      reason     text NOT NULL,
      PRIMARY KEY (tenant_id, job_id, line),
      FOREIGN KEY (tenant_id, job_id) REFERENCES bulk_import_jobs (tenant_id, id) ON DELETE CASCADE
    )`,
  ];
  for (const statement of statements) await statement.execute(db);
}
