/**
 * Console people pages at scale (not a test): seeds N accounts into one tenant with set-based SQL,
 * then times the console's reads through the core: the first and a later keyset page of the
 * newest people, an email lookup, a Gigya-style query and one person's record. No count(*) is
 * run by any of them, so the page times should not grow with N.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/roster_bench_console BENCH_PEOPLE=1000000 \
 *     node --import tsx bench/console-people.ts
 *
 * Without BENCH_DATABASE_URL it runs on PGlite in memory (default 100,000 people there).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { gigyaQueryLanguage } from '../src/admin-wiring.js';
import { type AccountUid, createCore } from '../src/core/index.js';
import { argon2Hasher } from '../src/security/password-hasher.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { openStore } from '../src/store/index.js';
import { cryptoIds, systemClock } from '../src/system.js';
import { seedAccounts } from '../test/helpers/seed.js';

const url = process.env.BENCH_DATABASE_URL;
const people = Number(process.env.BENCH_PEOPLE ?? (url ? 1_000_000 : 100_000));
const store = url ? await openStore({ engine: 'postgres', databaseUrl: url, poolSize: 4 }) : await openStore({ engine: 'pglite', dataDir: undefined });
await store.migrate();
const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(randomBytes(32)), hasher: argon2Hasher });
const tenant = await core.tenants.create({ name: `bench-console-${Date.now().toString(36)}` });
const ctx = { tenantId: tenant.id, siteId: null, origin: { facade: 'cli' as const } };

let started = performance.now();
for (let from = 1; from <= people; from += 100_000) {
  await seedAccounts(store, tenant.id, {
    from,
    to: Math.min(people, from + 99_999),
    prefix: 'p',
    base: new Date('2026-01-01T00:00:00Z'),
    spreadMs: 86_400_000,
    lite: true,
    full: false,
  });
}
if (url) await sql`ANALYZE accounts`.execute(store.db);
console.log(`${store.engine}: seeded ${people.toLocaleString('en')} people in ${((performance.now() - started) / 1000).toFixed(1)} s`);

async function time<T>(label: string, work: () => Promise<T>, runs = 5): Promise<T> {
  let result: T = await work(); // warm
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    result = await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(46)} median ${times[Math.floor(runs / 2)]?.toFixed(1)} ms  (min ${times[0]?.toFixed(1)}, max ${times.at(-1)?.toFixed(1)})`);
  return result;
}

const newest = { filter: null, sort: [{ field: { kind: 'column' as const, column: 'createdAt' as const }, direction: 'desc' as const }] };
const first = await time('first page of 25, newest first', () => core.adminConsole.people(ctx, newest, null, 25));
let after = first.next;
for (let i = 0; i < 200 && after; i++) after = (await core.adminConsole.people(ctx, newest, after, 25)).next;
await time('page 201 of 25 (keyset, after 5,000 rows)', () => core.adminConsole.people(ctx, newest, after, 25));
await time('email lookup', () => core.accounts.findByIdentifier(ctx, 'email', `p${Math.floor(people / 2)}@seed.example`));
await time('Gigya query on an indexed column (UID)', () =>
  core.adminConsole.people(ctx, gigyaQueryLanguage(`SELECT * FROM accounts WHERE UID = "${first.accounts[0]?.uid}"`), null, 25),
);
await time("one person's full record", () => core.adminConsole.person(ctx, first.accounts[0]?.uid as AccountUid));
await store.close();
