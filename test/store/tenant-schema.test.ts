import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { OpenedStore } from '../../src/store/index.js';
import { openTestStore } from '../helpers/store.js';
import { REFERENCE_TABLES } from '../helpers/tenancy.js';

/**
 * The precondition for distributing Roster by tenant (Citus): every table is either a small
 * reference table (replicated to every node) or is distributed on tenant_id, and then every
 * primary key, unique index and foreign key leads with tenant_id, so each of them can be checked
 * on one node. A migration that breaks this fails here (docs/scaling.md).
 */
const MIGRATOR_TABLES = new Set(['kysely_migration', 'kysely_migration_lock']);

let store: OpenedStore;
before(async () => {
  store = await openTestStore();
});
after(() => store.close());

async function tables(): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`.execute(store.db);
  return rows.rows.map((r) => r.name).filter((name) => !MIGRATOR_TABLES.has(name));
}

describe('the schema can be distributed by tenant', () => {
  it('every distributed table has a tenant_id column', async () => {
    const all = await tables();
    assert.ok(all.includes('accounts') && all.includes('outbox_events'), `the catalog query sees the tables: ${all.join(', ')}`);
    const columns = await sql<{ table: string }>`
      SELECT table_name AS table FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'tenant_id'`.execute(store.db);
    const withTenant = new Set(columns.rows.map((r) => r.table));
    const missing = all.filter((t) => !REFERENCE_TABLES.has(t) && !withTenant.has(t));
    assert.deepEqual(missing, [], 'tables without tenant_id');
  });

  it('every primary key and unique index of a distributed table leads with tenant_id', async () => {
    const rows = await sql<{ table: string; index: string; first: string; definition: string }>`
      SELECT c.relname AS table, i.relname AS index, a.attname AS first, pg_get_indexdef(ix.indexrelid) AS definition
      FROM pg_index ix
      JOIN pg_class c ON c.oid = ix.indrelid
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ix.indkey[0]
      WHERE n.nspname = current_schema() AND (ix.indisunique OR ix.indisprimary)`.execute(store.db);
    assert.ok(rows.rows.length > 20, 'the catalog query sees the indexes');
    const offending = rows.rows
      .filter((r) => !REFERENCE_TABLES.has(r.table) && !MIGRATOR_TABLES.has(r.table) && r.first !== 'tenant_id')
      .map((r) => r.definition);
    assert.deepEqual(offending, [], 'unique indexes or primary keys not leading with tenant_id');
  });

  it('every foreign key of a distributed table leads with tenant_id and points at a tenant-led key or a reference table', async () => {
    const rows = await sql<{ table: string; target: string; definition: string; first: string; target_first: string }>`
      SELECT c.relname AS table, t.relname AS target, pg_get_constraintdef(k.oid) AS definition,
             (SELECT attname FROM pg_attribute WHERE attrelid = k.conrelid AND attnum = k.conkey[1]) AS first,
             (SELECT attname FROM pg_attribute WHERE attrelid = k.confrelid AND attnum = k.confkey[1]) AS target_first
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class t ON t.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`.execute(store.db);
    assert.ok(rows.rows.length > 10, 'the catalog query sees the foreign keys');
    const offending = rows.rows
      .filter((r) => !REFERENCE_TABLES.has(r.table))
      .filter((r) => r.first !== 'tenant_id' || (!REFERENCE_TABLES.has(r.target) && r.target_first !== 'tenant_id'))
      .map((r) => `${r.table}: ${r.definition}`);
    assert.deepEqual(offending, [], 'foreign keys that would cross nodes');
    // A distributed table may point at a reference table, never the other way round.
    const fromReference = rows.rows.filter((r) => REFERENCE_TABLES.has(r.table) && !REFERENCE_TABLES.has(r.target)).map((r) => r.definition);
    assert.deepEqual(fromReference, [], 'reference tables pointing at distributed ones');
  });
});
