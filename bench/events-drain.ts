/**
 * `npm run bench:drain [-- --engine pglite|postgres] [--events N]`
 *
 * pglite (default): N events (100,000) wait in the embedded store's outbox, as after an offline
 * import; `roster start` is started on it (its own process, in-server worker) with one webhook
 * receiver here, and /healthz and /readyz are probed every 20 ms until every event arrived.
 * Reports the drain time and the probes' latency (the goal: /healthz p99 under 50 ms).
 *
 * postgres: the delivery queue with autovacuum off on its tables (ALTER TABLE … SET
 * (autovacuum_enabled = false), so the shared server is untouched), drained in rounds of N/5
 * events by an in-process worker; each round reports the claim and fan-out statement times and
 * the dead rows the queue tables carry (pg_stat_user_tables): claim cost must stay flat as dead
 * rows accumulate. Uses the database BENCH_DRAIN_DB (roster_bench_drain), dropped and recreated.
 * `--hold-snapshot` keeps a REPEATABLE READ transaction open on another connection for the whole
 * drain (a long report or backup beside the worker): no row deleted meanwhile is dead to it, so
 * no index entry can be marked dead and vacuum could not help either.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { type Core, createCore } from '../src/core/index.js';
import type { TenantId } from '../src/core/types.js';
import { createWorker } from '../src/events/worker.js';
import { loadOrCreateMasterKey } from '../src/security/master-key.js';
import { argon2Hasher } from '../src/security/password-hasher.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { type OpenedStore, openStore } from '../src/store/index.js';
import { cryptoIds, systemClock } from '../src/system.js';
import { machineDescription } from './lib/report.js';
import { startProcess } from './lib/server.js';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'pglite' },
    events: { type: 'string', default: '100000' },
    'hold-snapshot': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DRAIN_DB = process.env.BENCH_DRAIN_DB ?? 'roster_bench_drain';
const ROSTER_BIN = fileURLToPath(new URL('../bin/roster.js', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const load = () =>
  loadavg()
    .map((n) => n.toFixed(1))
    .join(' ');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: +percentile(s, 50).toFixed(2), p99: +percentile(s, 99).toFixed(2), max: +(s[s.length - 1] ?? 0).toFixed(2) };
};

/** A webhook receiver that counts the events it is sent. */
async function startCounter() {
  let received = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received += (JSON.parse(body) as { events: unknown[] }).events.length;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** N account.updated events of 20,000 accounts written straight into the outbox, as an import leaves them. */
async function writeBacklog(store: OpenedStore, tenantId: TenantId, n: number, from = 0): Promise<void> {
  for (let done = 0; done < n; done += 10_000) {
    const count = Math.min(10_000, n - done);
    await sql`
      INSERT INTO outbox_events (tenant_id, id, site_id, account_uid, type, payload, origin, created_at)
      SELECT ${tenantId}, gen_random_uuid()::text, NULL, 'acct' || ((g + ${from + done}) % 20000), 'account.updated',
             '{"via":"import","payload":{"changed":["profile.firstName"]}}'::jsonb, '{"facade":"import"}'::jsonb, now()
      FROM generate_series(1, ${count}) AS g`.execute(store.db);
  }
}

async function provision(core: Core, url: string) {
  const tenant = await core.tenants.create({ name: 'drain' });
  await core.webhooks.set(tenant.id, { name: 'sink', url, eventTypes: ['*'], format: 'roster', secret: 'bench-secret' });
  return tenant;
}

async function pgliteDrain(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'roster-drain-'));
  const receiver = await startCounter();
  try {
    const key = loadOrCreateMasterKey(dir).key;
    const store = await openStore({ engine: 'pglite', dataDir: dir });
    await store.migrate();
    const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(key), hasher: argon2Hasher });
    const tenant = await provision(core, receiver.url);
    const writing = performance.now();
    await writeBacklog(store, tenant.id, EVENTS);
    log(`backlog of ${EVENTS} events written in ${((performance.now() - writing) / 1000).toFixed(1)} s`);
    await store.close();

    const server = await startProcess(
      [ROSTER_BIN, 'start'],
      { ...process.env, ROSTER_DATA_DIR: dir, ROSTER_LOG_LEVEL: 'warn', ROSTER_DEMO: 'false', DATABASE_URL: '' },
      '/healthz',
    );
    const started = performance.now();
    const loadBefore = load();
    const healthz: number[] = [];
    const readyz: number[] = [];
    const idleHealthz: number[] = [];
    let drained = started;
    let lastReport = started;
    try {
      while (receiver.received() < EVENTS) {
        for (const [path, into] of [
          ['/healthz', healthz],
          ['/readyz', readyz],
        ] as const) {
          const t = performance.now();
          const response = await fetch(server.url + path);
          await response.arrayBuffer();
          into.push(performance.now() - t);
        }
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          log(`  ${receiver.received()} / ${EVENTS} delivered, ${((lastReport - started) / 1000).toFixed(0)} s, load ${load()}`);
        }
        if (performance.now() - started > 1_800_000) throw new Error('not drained in 30 minutes');
        await new Promise((r) => setTimeout(r, 20));
      }
      drained = performance.now();
      // The same probes against the same server with nothing left to deliver: what the machine's
      // load alone costs them (the machine may be shared), to read the drain's figures against.
      while (performance.now() - drained < 15_000) {
        const t = performance.now();
        await (await fetch(`${server.url}/healthz`)).arrayBuffer();
        idleHealthz.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await server.stop();
    }
    const seconds = (drained - started) / 1000;
    console.log(
      JSON.stringify(
        {
          engine: 'pglite',
          machine: machineDescription('pglite'),
          events: EVENTS,
          received: receiver.received(),
          drainSeconds: +seconds.toFixed(1),
          eventsPerSecond: Math.round(EVENTS / seconds),
          healthzMs: stats(healthz),
          readyzMs: stats(readyz),
          idleHealthzMs: stats(idleHealthz),
          loadAverage: { before: loadBefore, after: load() },
        },
        null,
        2,
      ),
    );
  } finally {
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresDrain(): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DRAIN_DB}`);
  await admin.query(`CREATE DATABASE ${DRAIN_DB}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DRAIN_DB}`;
  const store = await openStore({ engine: 'postgres', databaseUrl: url.toString(), poolSize: 4 });
  const receiver = await startCounter();
  try {
    await store.migrate();
    const queueTables = ['outbox_fanout_queue', 'event_deliveries', 'outbox_events', 'event_delivery_log'];
    for (const table of queueTables) await sql`ALTER TABLE ${sql.table(table)} SET (autovacuum_enabled = false)`.execute(store.db);
    const key = loadOrCreateMasterKey(mkdtempSync(join(tmpdir(), 'roster-drain-key-'))).key;
    const secretBox = createSecretBox(key);
    const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox, hasher: argon2Hasher });
    const tenant = await provision(core, receiver.url);
    const config = loadConfig({ ROSTER_LOG_LEVEL: 'silent', ROSTER_MASTER_KEY: key.toString('hex'), DATABASE_URL: url.toString() });
    const worker = createWorker({ store, core, secretBox, config, log: { info() {}, warn() {}, error() {}, debug() {} } });
    // Time the queue's statements where the worker calls them.
    const claims: number[] = [];
    const fanOuts: number[] = [];
    const claim = worker.deliveries.claim.bind(worker.deliveries);
    worker.deliveries.claim = async (...args) => {
      const t = performance.now();
      const batch = await claim(...args);
      if (batch.length > 0) claims.push(performance.now() - t);
      return batch;
    };
    const fanOut = worker.deliveries.fanOut.bind(worker.deliveries);
    worker.deliveries.fanOut = async (...args) => {
      const t = performance.now();
      const n = await fanOut(...args);
      if (n > 0) fanOuts.push(performance.now() - t);
      return n;
    };
    const deadRows = async () => {
      const rows = await sql<{ relname: string; n_dead_tup: string | number; n_live_tup: string | number }>`
        SELECT relname, n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE relname IN ('outbox_fanout_queue', 'event_deliveries')`.execute(store.db);
      return Object.fromEntries(rows.rows.map((r) => [r.relname, { dead: Number(r.n_dead_tup), live: Number(r.n_live_tup) }]));
    };
    const holder = values['hold-snapshot'] ? new pg.Client({ connectionString: url.toString() }) : undefined;
    if (holder) {
      await holder.connect();
      await holder.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await holder.query('SELECT count(*) FROM outbox_events');
    }
    const rounds = 5;
    const perRound = Math.ceil(EVENTS / rounds);
    const results = [];
    for (let round = 1; round <= rounds; round++) {
      claims.length = 0;
      fanOuts.length = 0;
      const before = await deadRows();
      await writeBacklog(store, tenant.id, perRound, round * perRound);
      const target = receiver.received() + perRound;
      const t = performance.now();
      while (receiver.received() < target) {
        const { fannedOut, attempted } = await worker.tick();
        if (fannedOut === 0 && attempted === 0) await new Promise((r) => setTimeout(r, 10));
      }
      const seconds = (performance.now() - t) / 1000;
      // pg_stat counters are reported by backends asynchronously.
      await new Promise((r) => setTimeout(r, 700));
      results.push({
        round,
        events: perRound,
        drainSeconds: +seconds.toFixed(1),
        eventsPerSecond: Math.round(perRound / seconds),
        claimMs: stats(claims),
        fanOutMs: stats(fanOuts),
        deadRowsBefore: before,
        deadRowsAfter: await deadRows(),
        load: load(),
      });
      log(JSON.stringify(results[results.length - 1]));
    }
    await worker.stop();
    if (holder) await holder.end();
    const engine = `postgres (autovacuum off on the queue tables${holder ? '; a snapshot held open through the drain' : ''})`;
    console.log(JSON.stringify({ engine, machine: machineDescription('postgres'), rounds: results }, null, 2));
  } finally {
    await receiver.close();
    await store.close();
  }
}

if (values.engine === 'postgres') await postgresDrain();
else await pgliteDrain();
