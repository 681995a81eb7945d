import { type Kysely, type Selectable, sql } from 'kysely';
import { DomainError } from '../core/errors.js';
import type { ImportFormat, ImportJob, ImportJobRepo, ImportJobStatus } from '../core/ports.js';
import type { SiteId, TenantId } from '../core/types.js';
import type { BulkImportJobsTable, Database } from './database.js';

function toJob(row: Selectable<BulkImportJobsTable>): ImportJob {
  return {
    tenantId: row.tenant_id as TenantId,
    id: row.id,
    siteId: row.site_id as SiteId | null,
    source: row.source,
    fileSize: row.file_size === null ? null : Number(row.file_size),
    fingerprint: row.fingerprint,
    format: row.format as ImportFormat,
    status: row.status as ImportJobStatus,
    linesCommitted: Number(row.lines_committed),
    rowsRead: Number(row.rows_read),
    rowsFailed: Number(row.rows_failed),
    accountsCreated: Number(row.accounts_created),
    accountsUpdated: Number(row.accounts_updated),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export function createImportJobRepo(db: Kysely<Database>): ImportJobRepo {
  return {
    async insert(job, origin) {
      try {
        await db
          .insertInto('bulk_import_jobs')
          .values({
            tenant_id: job.tenantId,
            id: job.id,
            site_id: job.siteId,
            source: job.source,
            file_size: job.fileSize,
            fingerprint: job.fingerprint,
            format: job.format,
            status: job.status,
            error: job.error,
            origin: JSON.stringify(origin),
            created_at: job.createdAt,
            updated_at: job.updatedAt,
            finished_at: job.finishedAt,
          })
          .execute();
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        if (code === '23505' && constraint === 'bulk_import_jobs_one_running') {
          throw new DomainError('import.job_running', 'This tenant already has an import job running');
        }
        throw error;
      }
    },
    async findById(tenantId, id) {
      const row = await db.selectFrom('bulk_import_jobs').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
      return row && toJob(row);
    },
    async findRunning(tenantId) {
      const row = await db.selectFrom('bulk_import_jobs').selectAll().where('tenant_id', '=', tenantId).where('status', '=', 'running').executeTakeFirst();
      return row && toJob(row);
    },
    async lockProgress(tenantId, id) {
      const row = await db
        .selectFrom('bulk_import_jobs')
        .select(['lines_committed', 'status'])
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      return row && { linesCommitted: Number(row.lines_committed), status: row.status as ImportJobStatus };
    },
    async advance(tenantId, id, d) {
      await db
        .updateTable('bulk_import_jobs')
        .set({
          lines_committed: d.linesCommitted,
          rows_read: sql<number>`rows_read + ${d.rowsRead}`,
          rows_failed: sql<number>`rows_failed + ${d.rowsFailed}`,
          accounts_created: sql<number>`accounts_created + ${d.accountsCreated}`,
          accounts_updated: sql<number>`accounts_updated + ${d.accountsUpdated}`,
          updated_at: d.at,
        })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async appendErrors(tenantId, id, errors) {
      if (errors.length === 0) return;
      await db
        .insertInto('bulk_import_errors')
        .values(errors.map((e) => ({ tenant_id: tenantId, job_id: id, line: e.line, email: e.email, reason: e.reason })))
        .execute();
    },
    async listErrors(tenantId, id, afterLine, limit) {
      const rows = await db
        .selectFrom('bulk_import_errors')
        .select(['line', 'email', 'reason'])
        .where('tenant_id', '=', tenantId)
        .where('job_id', '=', id)
        .where('line', '>', afterLine)
        .orderBy('line')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ line: Number(r.line), email: r.email, reason: r.reason }));
    },
    async finish(tenantId, id, status, error, at) {
      await db
        .updateTable('bulk_import_jobs')
        .set({ status, error, updated_at: at, finished_at: at })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    },
    async list(tenantId, limit) {
      const rows = await db.selectFrom('bulk_import_jobs').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(limit).execute();
      return rows.map(toJob);
    },
  };
}
