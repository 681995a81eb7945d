import type { Readable } from 'node:stream';
import { type Core, isDomainError } from '../core/index.js';
import type { ImportRowError } from '../core/ports.js';
import type { CallContext } from '../core/types.js';
import { parseFullAccountRow } from './full-account-row.js';
import { readImportRows } from './import-file.js';

/**
 * `roster import --full`: full accounts with their foreign password hashes, NDJSON in the
 * importFullAccount shape. Nothing is hashed at import (hashes are checked and replaced at first
 * login), so the cost per row is one short transaction; `concurrency` rows are in flight at
 * once. Rows are upserts by UID or email, so a re-run after a crash converges to the same state.
 */
export interface FullImportSummary {
  rows: number;
  created: number;
  updated: number;
  failed: number;
}

export async function runFullImport(options: {
  core: Core;
  ctx: CallContext;
  input: Readable;
  concurrency: number;
  dryRun: boolean;
  onBadRow: (error: ImportRowError) => void;
  onProgress?: (summary: FullImportSummary) => void;
}): Promise<FullImportSummary> {
  const { core, ctx } = options;
  const summary: FullImportSummary = { rows: 0, created: 0, updated: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();
  const fail = (line: number, email: string | null, reason: string) => {
    summary.failed++;
    options.onBadRow({ line, email, reason });
  };
  for await (const row of readImportRows(options.input, 'ndjson')) {
    summary.rows++;
    if ('error' in row) {
      fail(row.line, null, row.error);
      continue;
    }
    const parsed = parseFullAccountRow(row.value);
    if (!parsed.ok) {
      fail(row.line, parsed.email, parsed.reason);
      continue;
    }
    if (options.dryRun) continue;
    const work = core.credentials
      .importFull(ctx, parsed.input)
      .then((outcome) => {
        if (outcome.kind === 'created') summary.created++;
        else if (outcome.kind === 'updated') summary.updated++;
        else fail(row.line, parsed.input.email, outcome.kind === 'email_taken' ? 'the email belongs to another account' : 'the UID exists');
      })
      .catch((error: unknown) => {
        if (isDomainError(error)) fail(row.line, parsed.input.email, error.message);
        else throw error;
      })
      .finally(() => {
        inFlight.delete(work);
        options.onProgress?.(summary);
      });
    inFlight.add(work);
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return summary;
}
