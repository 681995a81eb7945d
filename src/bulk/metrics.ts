import { Counter, type Registry } from 'prom-client';
import type { ImportRowCounts } from './run-import.js';

const byRegistry = new WeakMap<Registry, (rows: ImportRowCounts) => void>();

/** `roster_import_rows_total{outcome}`: rows of import jobs run by this process, counted per committed batch. */
export function importRowMetrics(registry: Registry): (rows: ImportRowCounts) => void {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const rows = new Counter({
    name: 'roster_import_rows_total',
    help: 'Imported rows by outcome (created, updated, unchanged, failed), counted as their batch commits',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const count = (batch: ImportRowCounts) => {
    for (const outcome of ['created', 'updated', 'unchanged', 'failed'] as const) if (batch[outcome] > 0) rows.inc({ outcome }, batch[outcome]);
  };
  byRegistry.set(registry, count);
  return count;
}
