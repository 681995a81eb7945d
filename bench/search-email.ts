/**
 * Measures accounts.search lookups at scale on PostgreSQL: seeds N accounts (default 1 000 000)
 * in a fresh tenant with set-based SQL, then times searches by email, UID and a lastUpdated
 * range through the core (the SQL the facade runs) and prints EXPLAIN ANALYZE of the email one.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/search-email.ts [N]
 */
import { sql } from 'kysely';
import type { AccountFilter } from '../src/core/account-query.js';
import { createCore } from '../src/core/index.js';
import type { CallContext } from '../src/core/types.js';
import { argon2Hasher } from '../src/security/password-hasher.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { accountSearchQuery } from '../src/store/account-search.js';
import { openStore } from '../src/store/index.js';
import { cryptoIds, systemClock } from '../src/system.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const n = Number(process.argv[2] ?? 1_000_000);
const store = await openStore({ engine: 'postgres', databaseUrl: url, poolSize: 4 });
await store.migrate();
const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(Buffer.alloc(32, 7)), hasher: argon2Hasher });
const tenant = await core.tenants.create({ name: `bench-search-${Date.now()}` });
const ctx: CallContext = { tenantId: tenant.id, siteId: null, origin: { facade: 'cli' } };
const base = new Date(Date.now() - 86_400_000);

let started = performance.now();
for (let from = 1; from <= n; from += 100_000) {
  const to = Math.min(n, from + 99_999);
  await sql`INSERT INTO accounts (tenant_id, uid, has_lite_account, has_full_account, profile, data, email_token, created_at, updated_at)
    SELECT ${tenant.id}, md5(${tenant.id} || n::text), true, n % 10 = 0, jsonb_build_object('email', 'p' || n || '@bench.example', 'n', n), '{}'::jsonb,
           md5('t' || ${tenant.id} || n::text), ${base}::timestamptz, ${base}::timestamptz + (n * interval '50 milliseconds')
    FROM generate_series(${from}::int, ${to}::int) AS n`.execute(store.db);
  await sql`INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at)
    SELECT ${tenant.id}, 'email', 'p' || n || '@bench.example', md5(${tenant.id} || n::text), ${base}::timestamptz
    FROM generate_series(${from}::int, ${to}::int) AS n`.execute(store.db);
}
await sql`ANALYZE accounts`.execute(store.db);
await sql`ANALYZE identifiers`.execute(store.db);
console.log(`seeded ${n} accounts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

async function time(label: string, filter: (i: number) => AccountFilter) {
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const page = await core.accountSearch.search(ctx, { filter: filter(i), sort: [] }, { limit: 300, offset: 0 });
    samples.push(performance.now() - t0);
    if (page.accounts.length === 0) throw new Error(`${label}: no result`);
  }
  samples.sort((a, b) => a - b);
  console.log(
    `${label}: p50 ${samples[15]?.toFixed(2)} ms, p95 ${samples[28]?.toFixed(2)} ms, max ${samples[29]?.toFixed(2)} ms (30 searches, incl. totalCount)`,
  );
}

const pick = (i: number) => 1 + ((i * 7919) % n);
await time('email =', (i) => ({ op: 'eq', field: { kind: 'column', column: 'email' }, value: `p${pick(i)}@bench.example` }));
const uids = await sql<{ uid: string }>`SELECT uid FROM accounts WHERE tenant_id = ${tenant.id} LIMIT 30`.execute(store.db);
await time('UID =', (i) => ({ op: 'eq', field: { kind: 'column', column: 'uid' }, value: uids.rows[i]?.uid as string }));
await time('lastUpdatedTimestamp range (≈100 rows)', (i) => ({
  op: 'and',
  filters: [
    { op: 'ge', field: { kind: 'column', column: 'updatedAt' }, value: base.getTime() + pick(i) * 50 },
    { op: 'lt', field: { kind: 'column', column: 'updatedAt' }, value: base.getTime() + (pick(i) + 100) * 50 },
  ],
}));
const explain = await accountSearchQuery(store.db, tenant.id, {
  query: { filter: { op: 'eq', field: { kind: 'column', column: 'email' }, value: 'p4242@bench.example' }, sort: [] },
  updatedAtMost: null,
  after: null,
  offset: 0,
  limit: 301,
}).explain(undefined, sql`analyze`);
console.log(explain.map((r) => Object.values(r as Record<string, unknown>)[0]).join('\n'));
started = performance.now();
await sql`DELETE FROM tenants WHERE id = ${tenant.id}`.execute(store.db);
console.log(`cleaned up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
await store.close();
