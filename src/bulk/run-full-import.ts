import type { Readable } from 'node:stream';
import type { FullAccountInput } from '../core/full-account-import.js';
import type { Core } from '../core/index.js';
import type { ImportRowError } from '../core/ports.js';
import type { CallContext } from '../core/types.js';
import { parseFullAccountRow } from './full-account-row.js';
import { readImportRows } from './import-file.js';

/**
 * `roster import --full`: full accounts with their foreign password hashes, NDJSON in the
 * importFullAccount shape. Nothing is hashed at import (hashes are checked and replaced at first
 * login). Rows go to the core in batches: new accounts are written set-based, rows that meet an
 * existing account one by one. Every row is an upsert by UID or email, so a re-run after a crash
 * converges to the same state.
 */
export interface FullImportSummary {
  rows: number;
  created: number;
  updated: number;
  failed: number;
}

export const FULL_IMPORT_BATCH = 500;

export async function runFullImport(options: {
  core: Core;
  ctx: CallContext;
  input: Readable;
  batchSize?: number;
  dryRun: boolean;
  onBadRow: (error: ImportRowError) => void;
  onProgress?: (summary: FullImportSummary) => void;
}): Promise<FullImportSummary> {
  const { core, ctx } = options;
  const batchSize = options.batchSize ?? FULL_IMPORT_BATCH;
  const summary: FullImportSummary = { rows: 0, created: 0, updated: 0, failed: 0 };
  const fail = (line: number, email: string | null, reason: string) => {
    summary.failed++;
    options.onBadRow({ line, email, reason });
  };
  let batch: Array<{ line: number; input: FullAccountInput }> = [];
  const flush = async () => {
    if (batch.length === 0 || options.dryRun) {
      batch = [];
      return;
    }
    const rows = batch;
    batch = [];
    const outcomes = await core.credentials.importFullBatch(
      ctx,
      rows.map((row) => row.input),
    );
    outcomes.forEach((outcome, i) => {
      const row = rows[i] as { line: number; input: FullAccountInput };
      if (outcome.kind === 'created') summary.created++;
      else if (outcome.kind === 'updated') summary.updated++;
      else if (outcome.kind === 'invalid') fail(row.line, row.input.email, outcome.reason);
      else fail(row.line, row.input.email, outcome.kind === 'email_taken' ? 'the email belongs to another account' : 'the UID exists');
    });
    options.onProgress?.(summary);
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
    batch.push({ line: row.line, input: parsed.input });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
