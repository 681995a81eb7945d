/**
 * Bulk import benchmark (not a test): N lite accounts with 2 subscriptions each, imported by the
 * `roster import` CLI (its own process) on PostgreSQL, next to two baselines measured in the same
 * run on the same database: a raw COPY of the same rows into a bare table (the ceiling the issue
 * sets) and the schema floor (the same rows written into Roster's tables by SQL alone); then a
 * smaller count on PGlite (in memory, the runImport path in this process).
 *
 *   npm run bench:import                       # 1,000,000 rows on PostgreSQL, 20,000 on PGlite
 *   BENCH_ROWS=100000 BENCH_PGLITE_ROWS=5000 npm run bench:import
 *
 * BENCH_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used to (re)create
 * the database BENCH_DB (default roster_bench_bulk), which is dropped and created fresh.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { fingerprintFile } from '../src/bulk/import-file.js';
import { DEFAULT_BATCH_SIZE, runImport } from '../src/bulk/run-import.js';
import { createCore } from '../src/core/index.js';
import { argon2Hasher } from '../src/security/password-hasher.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { type OpenedStore, openStore } from '../src/store/index.js';
import { cryptoIds, systemClock } from '../src/system.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const PGLITE_ROWS = Number(process.env.BENCH_PGLITE_ROWS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? DEFAULT_BATCH_SIZE);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DB = process.env.BENCH_DB ?? 'roster_bench_bulk';
const DB_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${DB}`);

async function makeFile(rows: number): Promise<string> {
  const path = `/tmp/roster-bench-${rows}.ndjson`;
  if (existsSync(path)) return path;
  const out = createWriteStream(path);
  for (let i = 0; i < rows; i++) {
    const row = {
      email: `user${i}@bench.example.com`,
      profile: { firstName: `First${i}`, lastName: 'Benchmark', locale: 'nb_NO' },
      data: { source: 'bench', cohort: i % 100 },
      subscriptions: {
        news: { email: { isSubscribed: true, tags: ['daily'], lastUpdatedSubscriptionState: '2024-01-01T00:00:00.000Z' } },
        offers: { weekly: { email: { isSubscribed: i % 2 === 0, doubleOptIn: { status: 'Confirmed', confirmTime: '2024-01-02T00:00:00.000Z' } } } },
      },
    };
    if (!out.write(`${JSON.stringify(row)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
}

function rssSampler() {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

/** The ceiling: the same lines into a bare table (email, row as jsonb) with COPY, no index, no merge. */
async function rawCopy(path: string): Promise<number> {
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  await client.query('DROP TABLE IF EXISTS bench_raw_rows');
  await client.query('CREATE TABLE bench_raw_rows (email text NOT NULL, row jsonb NOT NULL)');
  const started = performance.now();
  const lines = createInterface({ input: createReadStream(path, { highWaterMark: 256 * 1024 }), crlfDelay: Number.POSITIVE_INFINITY });
  const toCopyText = Transform.from(async function* () {
    for await (const line of lines) {
      const email = /"email":"([^"]*)"/.exec(line)?.[1] ?? '';
      yield `${email}\t${line.replaceAll('\\', '\\\\')}\n`;
    }
  });
  await pipeline(toCopyText, client.query(copyFrom('COPY bench_raw_rows (email, row) FROM STDIN')));
  const seconds = (performance.now() - started) / 1000;
  await client.end();
  return seconds;
}

/**
 * The floor of this schema: the rows just copied, written into Roster's own tables by SQL alone
 * (one backend, one transaction, no Node work, no merge, no lookups): an identifier, an account,
 * two subscriptions and an outbox event per row, with every index, foreign key and trigger they
 * carry. No import into this schema can beat it by more than its parallelism.
 */
async function schemaFloor(tenantId: string): Promise<number> {
  const client = new pg.Client({ connectionString: DB_URL });
  await client.connect();
  const started = performance.now();
  await client.query('BEGIN');
  await client.query(`CREATE TEMP TABLE floor_rows ON COMMIT DROP AS SELECT md5(email) AS uid, email, row FROM bench_raw_rows`);
  await client.query(`INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at) SELECT $1, 'email', email, uid, now() FROM floor_rows`, [
    tenantId,
  ]);
  await client.query(
    `INSERT INTO accounts (tenant_id, uid, has_lite_account, profile, data, email_token, created_at, updated_at)
     SELECT $1, uid, true, jsonb_build_object('email', email) || (row->'profile'), row->'data', md5('token' || email), now(), now() FROM floor_rows`,
    [tenantId],
  );
  await client.query(
    `INSERT INTO subscriptions (tenant_id, account_uid, subscription_id, channel, is_subscribed, tags, last_updated_state_at, doi_status, doi_confirmed_at, updated_at)
     SELECT $1, uid, 'news', 'email', (row#>>'{subscriptions,news,email,isSubscribed}')::boolean, '{daily}'::text[], now(), 'NotConfirmed', null, now() FROM floor_rows
     UNION ALL
     SELECT $1, uid, 'offers.weekly', 'email', (row#>>'{subscriptions,offers,weekly,email,isSubscribed}')::boolean, '{}'::text[], now(), 'Confirmed', now(), now() FROM floor_rows`,
    [tenantId],
  );
  await client.query(
    `INSERT INTO outbox_events (tenant_id, id, account_uid, type, payload, origin, created_at)
     SELECT $1, md5('event' || email), uid, 'account.created', jsonb_build_object('via', 'import', 'payload', jsonb_build_object('email', email)), '{"facade":"import"}', now() FROM floor_rows`,
    [tenantId],
  );
  await client.query('COMMIT');
  const seconds = (performance.now() - started) / 1000;
  // Leave the tables as the import will find them: empty.
  await client.query('TRUNCATE accounts, identifiers, subscriptions, outbox_events, outbox_fanout_queue CASCADE');
  await client.query('DROP TABLE bench_raw_rows');
  await client.end();
  return seconds;
}

/** `roster import` as users run it: its own process, timed from spawn to exit; peak RSS is its VmHWM. */
async function cliImport(path: string, tenant: string): Promise<{ seconds: number; peakRssMb: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/roster.js', 'import', path, '--tenant', tenant, '--site', 'web', '--batch-size', String(BATCH), '--json'], {
    env: { ...process.env, DATABASE_URL: DB_URL, ROSTER_MASTER_KEY: randomBytes(32).toString('base64'), ROSTER_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peakKb = 0;
  const sample = () => {
    const hwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
  };
  const timer = setInterval(() => {
    try {
      sample();
    } catch {
      // exited between samples
    }
  }, 200);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  // Its progress lines (plain, every 5 s, as in a log file) pass through.
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => process.stdout.write(chunk.replace(/^(?=.)/gm, '  | ')));
  const [code] = (await once(child, 'exit')) as [number | null];
  clearInterval(timer);
  if (code !== 0) throw new Error(`roster import exited with ${code}`);
  return { seconds: (performance.now() - started) / 1000, peakRssMb: Math.round(peakKb / 1024), stdout };
}

async function roster(store: OpenedStore, path: string) {
  await store.migrate();
  const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(randomBytes(32)), hasher: argon2Hasher });
  const tenant = await core.tenants.create({ name: `bench-${Date.now()}` });
  const site = await core.sites.create(tenant.id, { name: 'web' });
  const { size, fingerprint } = await fingerprintFile(path);
  const before = process.memoryUsage();
  const rss = rssSampler();
  const started = performance.now();
  const summary = await runImport({
    core,
    ctx: { tenantId: tenant.id, siteId: site.id, origin: { facade: 'import', sourceSystem: 'bench' } },
    input: createReadStream(path, { highWaterMark: 256 * 1024 }),
    source: { source: path, fileSize: size, fingerprint, format: 'ndjson' },
    batchSize: BATCH,
  });
  const seconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  const after = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 1024 / 1024);
  console.log(`  memory: RSS ${mb(before.rss)} MB before the import, ${mb(after.rss)} MB after (heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB)`);
  const subscriptions = await store.db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenant.id)
    .executeTakeFirstOrThrow();
  return { seconds, peakRssMb: Math.round(peak / 1024 / 1024), job: summary.job, subscriptions: Number(subscriptions.n) };
}

async function main() {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`;
  console.log(`machine: ${machine}`);

  const path = await makeFile(ROWS);
  console.log(`file: ${path} (${ROWS.toLocaleString('en-US')} rows, ${(statSync(path).size / 1024 ** 2).toFixed(0)} MiB), batch ${BATCH}`);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.query(`CREATE DATABASE ${DB}`);
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version;
  await admin.end();

  const copySeconds = await rawCopy(path);
  const copyRate = ROWS / copySeconds;
  console.log(`raw COPY into a bare table: ${copySeconds.toFixed(1)} s, ${Math.round(copyRate).toLocaleString('en-US')} rows/s`);

  const store = await openStore({ engine: 'postgres', databaseUrl: DB_URL, poolSize: 4 });
  await store.migrate();
  const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(randomBytes(32)), hasher: argon2Hasher });
  const floorTenant = await core.tenants.create({ name: `bench-floor-${Date.now()}` });
  const floorSeconds = await schemaFloor(floorTenant.id);
  const floorRate = ROWS / floorSeconds;
  console.log(
    `schema floor (SQL alone, one backend: identifier, account, 2 subscriptions, outbox event per row): ${floorSeconds.toFixed(1)} s, ` +
      `${Math.round(floorRate).toLocaleString('en-US')} rows/s (${((floorRate / copyRate) * 100).toFixed(0)}% of raw COPY)`,
  );
  const { id: tenant } = await core.tenants.create({ name: `bench-${Date.now()}` });
  await core.sites.create(tenant, { name: 'web' });
  const cli = await cliImport(path, tenant);
  const counts = await store.db
    .selectFrom('subscriptions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant_id', '=', tenant)
    .executeTakeFirstOrThrow();
  await store.close();
  const pgRate = ROWS / cli.seconds;
  const report = JSON.parse(cli.stdout) as { status: string; created: number; failed: number };
  console.log(
    `roster import on PostgreSQL ${version} (the CLI, its own process): ${cli.seconds.toFixed(1)} s, ${Math.round(pgRate).toLocaleString('en-US')} rows/s ` +
      `(${((pgRate / copyRate) * 100).toFixed(0)}% of raw COPY, ${((pgRate / floorRate) * 100).toFixed(0)}% of the schema floor), peak RSS ${cli.peakRssMb} MB, ` +
      `job ${report.status}: ${report.created.toLocaleString('en-US')} accounts, ${Number(counts.n).toLocaleString('en-US')} subscriptions, ${report.failed} bad rows`,
  );

  if (PGLITE_ROWS > 0) {
    const small = await makeFile(PGLITE_ROWS);
    const lite = await openStore({ engine: 'pglite', dataDir: undefined });
    const liteResult = await roster(lite, small);
    await lite.close();
    console.log(
      `roster import on PGlite (in memory, ${PGLITE_ROWS.toLocaleString('en-US')} rows): ${liteResult.seconds.toFixed(1)} s, ` +
        `${Math.round(PGLITE_ROWS / liteResult.seconds).toLocaleString('en-US')} rows/s, peak RSS ${liteResult.peakRssMb} MB`,
    );
  }
}

await main();
