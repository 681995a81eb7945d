import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { detectFormat, fingerprintFile } from '../../bulk/import-file.js';
import { importRowMetrics } from '../../bulk/metrics.js';
import { runImport } from '../../bulk/run-import.js';
import { type Core, DomainError, isDomainError } from '../../core/index.js';
import type { ImportFormat, ImportJob } from '../../core/ports.js';
import type { CallContext, Site } from '../../core/types.js';
import { AdminAuthError } from './auth.js';
import { ADMIN_STATUS } from './errors.js';
import { importCaller } from './principal.js';

export interface ImportJobRoutesOptions {
  core: Core;
  /** Where uploaded files are kept until their job is done (so an interrupted job can resume). */
  uploadDir: string;
  maxUploadBytes: number;
  /** The app's metrics registry: imported rows are counted there by outcome. */
  registry?: Registry;
}

const UPLOAD_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'text/csv', 'application/octet-stream'];

function jobView(job: ImportJob) {
  return {
    jobId: job.id,
    status: job.status,
    format: job.format,
    bytes: job.fileSize,
    linesCommitted: job.linesCommitted,
    rows: job.rowsRead,
    failed: job.rowsFailed,
    created: job.accountsCreated,
    updated: job.accountsUpdated,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

/**
 * The import job API: POST a file as the request body (streamed to disk, never held in memory),
 * then poll the job and page through its bad rows. The job runs in this process; its state is in
 * the database, so another process (or this one after a restart) can resume it from the kept file.
 */
export async function importJobRoutes(app: FastifyInstance, opts: ImportJobRoutesOptions): Promise<void> {
  const importRows = opts.registry ? importRowMetrics(opts.registry) : undefined;
  const { core } = opts;
  const runningHere = new Set<string>();

  for (const type of UPLOAD_TYPES) {
    app.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
  }

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AdminAuthError) return reply.code(error.statusCode).send({ error: error.message });
    if (isDomainError(error)) return reply.code(ADMIN_STATUS[error.code]).send({ error: error.message, code: error.code });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return reply.code(status).send({ error: (error as Error).message });
    request.log.error({ err: error }, 'admin request failed');
    return reply.code(500).send({ error: 'Internal error', requestId: request.id });
  });

  async function siteOf(request: FastifyRequest, tenantId: string): Promise<Site> {
    const { site: ref } = request.query as { site?: string };
    if (!ref)
      throw new DomainError('request.invalid_field', 'The site query parameter (the Gigya API key) is required', [{ field: 'site', message: 'required' }]);
    const site = await core.sites.findByGigyaApiKey(ref);
    // A key never learns whether another tenant's site exists.
    if (!site || site.tenantId !== tenantId) throw new DomainError('site.not_found', `No site ${ref}`);
    return site;
  }

  function run(ctx: CallContext, job: ImportJob, path: string, log: FastifyRequest['log']): void {
    if (runningHere.has(job.id)) return;
    runningHere.add(job.id);
    runImport({
      core,
      ctx,
      input: createReadStream(path),
      source: { source: job.source, fileSize: job.fileSize, fingerprint: job.fingerprint, format: job.format },
      ...(importRows && { onRows: importRows }),
    })
      .then(async () => {
        await rm(path, { force: true });
      })
      .catch((error: unknown) => {
        // The job stays running in the database: POST …/resume continues it from the kept file.
        log.error({ err: error, jobId: job.id }, 'import job interrupted');
      })
      .finally(() => runningHere.delete(job.id));
  }

  app.post('/admin/v1/import-jobs', async (request, reply) => {
    const caller = await importCaller(core, request, 'imports.run');
    const site = await siteOf(request, caller.tenantId);
    const running = await core.bulkImport.findRunning(site.tenantId);
    if (running) throw new DomainError('import.job_running', `Import job ${running.id} is still running for this tenant`);
    const { format: given } = request.query as { format?: string };
    if (given !== undefined && given !== 'ndjson' && given !== 'csv') throw new DomainError('request.invalid_field', 'format is ndjson or csv');

    const dir = join(opts.uploadDir, site.tenantId);
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${Date.now()}-${request.id.replace(/[^A-Za-z0-9_-]/g, '')}.upload`);
    let bytes = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > opts.maxUploadBytes ? Object.assign(new Error('The upload is too large'), { statusCode: 413 }) : null, chunk);
      },
    });
    try {
      await pipeline(request.body as NodeJS.ReadableStream, limit, createWriteStream(path));
      const contentType = request.headers['content-type'] ?? '';
      const format: ImportFormat = given ?? (contentType.startsWith('text/csv') ? 'csv' : contentType.includes('json') ? 'ndjson' : await detectFormat(path));
      const { size, fingerprint } = await fingerprintFile(path);
      const ctx: CallContext = { tenantId: site.tenantId, siteId: site.id, origin: { facade: 'import', keyId: caller.actorId, ip: request.ip } };
      const { job } = await core.bulkImport.start(ctx, { source: `upload:${path}`, fileSize: size, fingerprint, format });
      run(ctx, job, path, request.log);
      return reply.code(202).header('location', `/admin/v1/import-jobs/${job.id}`).send(jobView(job));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
  });

  app.get('/admin/v1/import-jobs/:jobId', async (request) => {
    const caller = await importCaller(core, request, 'imports.read');
    const { jobId } = request.params as { jobId: string };
    return jobView(await core.bulkImport.job(caller.tenantId, jobId));
  });

  app.get('/admin/v1/import-jobs/:jobId/results', async (request) => {
    const caller = await importCaller(core, request, 'imports.read');
    const { jobId } = request.params as { jobId: string };
    const query = request.query as { afterLine?: string; limit?: string };
    const afterLine = Math.max(Number(query.afterLine ?? 0) || 0, 0);
    const limit = Math.min(Math.max(Number(query.limit ?? 1000) || 1000, 1), 10_000);
    const job = await core.bulkImport.job(caller.tenantId, jobId);
    const errors = await core.bulkImport.errors(caller.tenantId, job.id, afterLine, limit);
    const last = errors.at(-1);
    return {
      jobId: job.id,
      status: job.status,
      results: errors.map((e) => ({ line: e.line, email: e.email, error: e.reason })),
      nextAfterLine: errors.length === limit && last ? last.line : null,
    };
  });

  /** Continues a running job whose process stopped, from its kept upload. */
  app.post('/admin/v1/import-jobs/:jobId/resume', async (request, reply) => {
    const caller = await importCaller(core, request, 'imports.run');
    const { jobId } = request.params as { jobId: string };
    const job = await core.bulkImport.job(caller.tenantId, jobId);
    if (job.status !== 'running' || !job.source.startsWith('upload:')) throw new DomainError('import.job_not_found', `Import job ${jobId} is ${job.status}`);
    const ctx: CallContext = { tenantId: job.tenantId, siteId: job.siteId, origin: { facade: 'import', keyId: caller.actorId, ip: request.ip } };
    run(ctx, job, job.source.slice('upload:'.length), request.log);
    return reply.code(202).send(jobView(job));
  });
}
