import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { countingFileStream, detectFormat, fingerprintFile } from '../bulk/import-file.js';
import { liteAccountRow } from '../bulk/lite-account-row.js';
import { createProgressReporter } from '../bulk/progress.js';
import { runFullImport } from '../bulk/run-full-import.js';
import { DEFAULT_BATCH_SIZE, runImport } from '../bulk/run-import.js';
import { type Core, DomainError } from '../core/index.js';
import type { ImportFormat, ImportRowError } from '../core/ports.js';
import type { CallContext, Site } from '../core/types.js';

/** `--site` takes a Gigya API key (unique across tenants) or, with `--tenant`, a site name or id. */
export async function resolveSite(core: Core, siteRef: string, tenantRef: string | undefined): Promise<Site> {
  if (tenantRef) {
    const tenant = await core.tenants.resolve(tenantRef);
    return core.sites.resolve(tenant.id, siteRef);
  }
  const site = await core.sites.findByGigyaApiKey(siteRef);
  if (!site) throw new DomainError('site.not_found', `No site with API key ${siteRef} (give --tenant to name a site by its name)`);
  return site;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export interface ImportCommand {
  file: string;
  site: Site;
  format?: ImportFormat;
  dryRun: boolean;
  resultsPath?: string;
  batchSize?: number;
  abandonRunning: boolean;
  progressIntervalMs?: number;
  json: boolean;
}

export async function importCommand(core: Core, cmd: ImportCommand): Promise<number> {
  // The job is known by absolute path and fingerprint, so a re-run from another directory resumes it.
  const file = resolve(cmd.file);
  const format = cmd.format ?? (await detectFormat(file));
  const { size, fingerprint } = await fingerprintFile(file);
  const ctx: CallContext = { tenantId: cmd.site.tenantId, siteId: cmd.site.id, origin: { facade: 'import', sourceSystem: 'roster-cli' } };
  const { stream, bytesRead } = countingFileStream(file);
  const reporter = createProgressReporter(process.stderr, cmd.progressIntervalMs !== undefined ? { intervalMs: cmd.progressIntervalMs } : {});
  const resultsPath = cmd.resultsPath ?? `${cmd.file}.results.ndjson`;
  const results = createWriteStream(resultsPath);
  const label = cmd.dryRun ? 'validating' : 'importing';
  let startedAt = Date.now();
  const snapshot = (p: { rowsDone: number; rowsFailed: number; rowsParsed: number; rowsResumed: number }) => {
    // Total rows are estimated from the rows and bytes read so far: the file is never read twice.
    // Rows a resumed run skips count as read but not as done here.
    const bytes = bytesRead();
    const total = bytes > 0 && p.rowsParsed > 0 ? Math.round((p.rowsParsed * size) / bytes) - p.rowsResumed : null;
    return { label, done: p.rowsDone, total, errors: p.rowsFailed, startedAt };
  };
  const badRows: ImportRowError[] = [];
  const summary = await runImport({
    core,
    ctx,
    input: stream,
    source: { source: file, fileSize: size, fingerprint, format },
    batchSize: cmd.batchSize ?? DEFAULT_BATCH_SIZE,
    dryRun: cmd.dryRun,
    abandonRunning: cmd.abandonRunning,
    onJob: (job, resumed) => {
      startedAt = Date.now();
      if (resumed) process.stderr.write(`resuming import job ${job.id} after line ${job.linesCommitted}\n`);
    },
    onProgress: (p) => reporter.update(snapshot(p)),
    onBadRow: (error) => {
      if (badRows.length < 100_000) badRows.push(error);
    },
  });
  reporter.done(snapshot(summary.progress));

  // Bad rows come from the job (exactly once, whichever run met them), or from the dry run.
  let failed = 0;
  if (summary.job) {
    let after = 0;
    for (;;) {
      const page = await core.bulkImport.errors(ctx.tenantId, summary.job.id, after, 5000);
      for (const e of page) await write(results, `${JSON.stringify({ line: e.line, email: e.email, error: e.reason })}\n`);
      failed += page.length;
      if (page.length < 5000) break;
      after = (page[page.length - 1] as ImportRowError).line;
    }
  } else {
    for (const e of badRows) await write(results, `${JSON.stringify({ line: e.line, email: e.email, error: e.reason })}\n`);
    failed = summary.progress.rowsFailed;
  }
  results.end();
  await once(results, 'finish');

  const job = summary.job;
  const report = job
    ? {
        job: job.id,
        status: job.status,
        resumed: summary.resumed,
        rows: job.rowsRead,
        failed: job.rowsFailed,
        created: job.accountsCreated,
        updated: job.accountsUpdated,
        results: resultsPath,
      }
    : { dryRun: true, rows: summary.progress.rowsDone, failed, results: resultsPath };
  const seconds = (Date.now() - startedAt) / 1000;
  const text = job
    ? `import ${job.status}: ${job.rowsRead} rows, ${job.accountsCreated} created, ${job.accountsUpdated} updated, ${job.rowsFailed} bad rows (${resultsPath}) in ${seconds.toFixed(1)} s`
    : `dry run: ${summary.progress.rowsDone} rows, ${failed} bad rows (${resultsPath})`;
  process.stdout.write(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
  return failed > 0 ? 1 : 0;
}

export interface ExportCommand {
  site: Site;
  since: Date | null;
  full: boolean;
  out?: string;
  progressIntervalMs?: number;
}

export async function exportCommand(core: Core, cmd: ExportCommand): Promise<void> {
  const ctx: CallContext = { tenantId: cmd.site.tenantId, siteId: cmd.site.id, origin: { facade: 'cli' } };
  const out: Writable = cmd.out ? createWriteStream(cmd.out) : process.stdout;
  const total = await core.accounts.count(ctx);
  const reporter = createProgressReporter(process.stderr, cmd.progressIntervalMs !== undefined ? { intervalMs: cmd.progressIntervalMs } : {});
  const startedAt = Date.now();
  let done = 0;
  for await (const account of core.bulkImport.export(ctx, { since: cmd.since })) {
    await write(out, `${JSON.stringify(liteAccountRow(account, cmd.full))}\n`);
    done++;
    if (done % 1000 === 0) reporter.update({ label: 'exporting', done, total: cmd.since ? null : total, errors: 0, startedAt });
  }
  reporter.done({ label: 'exported', done, total: done, errors: 0, startedAt });
  if (cmd.out) {
    out.end();
    await once(out, 'finish');
  }
}

export interface FullImportCommand {
  file: string;
  site: Site;
  dryRun: boolean;
  resultsPath?: string;
  json: boolean;
}

/** `roster import <file> --full`: full accounts with foreign password hashes (run-full-import.ts). */
export async function fullImportCommand(core: Core, cmd: FullImportCommand): Promise<number> {
  const file = resolve(cmd.file);
  const ctx: CallContext = { tenantId: cmd.site.tenantId, siteId: cmd.site.id, origin: { facade: 'import', sourceSystem: 'roster-cli' } };
  const resultsPath = cmd.resultsPath ?? `${cmd.file}.results.ndjson`;
  const results = createWriteStream(resultsPath);
  const startedAt = Date.now();
  const { stream } = countingFileStream(file);
  const badRows: ImportRowError[] = [];
  const summary = await runFullImport({
    core,
    ctx,
    input: stream,
    dryRun: cmd.dryRun,
    onBadRow: (error) => {
      if (badRows.length < 100_000) badRows.push(error);
    },
  });
  for (const e of badRows.sort((a, b) => a.line - b.line)) await write(results, `${JSON.stringify({ line: e.line, email: e.email, error: e.reason })}\n`);
  results.end();
  await once(results, 'finish');
  const seconds = (Date.now() - startedAt) / 1000;
  const report = { full: true, dryRun: cmd.dryRun, ...summary, seconds: Number(seconds.toFixed(2)), results: resultsPath };
  const text = `${cmd.dryRun ? 'dry run' : 'import done'}: ${summary.rows} rows, ${summary.created} created, ${summary.updated} updated, ${summary.failed} bad rows (${resultsPath}) in ${seconds.toFixed(1)} s`;
  process.stdout.write(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : `${text}\n`);
  return summary.failed > 0 ? 1 : 0;
}
