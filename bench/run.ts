/**
 * `npm run bench [-- --quick | --smoke] [--engine postgres|pglite]`
 *
 * Starts Roster as users run it (its own process, on a fresh database), seeds a store, runs each
 * scenario after a warm-up for a fixed duration at concurrency 32, and measures in the same run
 * the ceilings it is compared to: a bare Fastify route returning a body of the same size (HTTP)
 * and a raw node-pg single-row upsert loop with the same pool size (database).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import pg from 'pg';
import { applyProvisioning } from '../src/cli/apply.js';
import { createCore } from '../src/core/index.js';
import { argon2Hasher } from '../src/security/password-hasher.js';
import { createSecretBox } from '../src/security/secret-box.js';
import { openStore } from '../src/store/index.js';
import { cryptoIds, systemClock } from '../src/system.js';
import { measureCpu } from './lib/cpu.js';
import { rawReadLoop, rawUpsertLoop } from './lib/db-baseline.js';
import { argon2VerifyLoop } from './lib/hash-baseline.js';
import { type LoadOptions, type LoadResult, runLoad } from './lib/load.js';
import { seedLoginAccounts } from './lib/login-seed.js';
import { machineDescription, markdownTable, type ScenarioResult, writeResults } from './lib/report.js';
import { seedAccounts } from './lib/seed.js';
import { type RunningServer, sampleRss, startProcess, startRoster } from './lib/server.js';
import { boostcomScenarios } from './scenarios/boostcom.js';
import { gigyaScenarios } from './scenarios/gigya.js';
import { navigaScenarios } from './scenarios/naviga.js';
import type { BenchContext, Scenario } from './scenarios/types.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    smoke: { type: 'boolean' },
    engine: { type: 'string', default: 'postgres' },
    only: { type: 'string' },
  },
});
const engine = values.engine === 'pglite' ? 'pglite' : 'postgres';
const mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
const plan = {
  smoke: { warmup: 1, duration: 2, seed: 2_000 },
  quick: { warmup: 2, duration: 5, seed: 100_000 },
  full: { warmup: 5, duration: 15, seed: engine === 'pglite' ? 200_000 : 1_000_000 },
}[mode];
const CONNECTIONS = 32;
const POOL_SIZE = 16;
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const scenarios: Scenario[] = [...gigyaScenarios, ...navigaScenarios, ...boostcomScenarios].filter((s) => !values.only || s.name.includes(values.only));
const log = (line: string) => process.stderr.write(`${line}\n`);

async function prepareStore(env: NodeJS.ProcessEnv, dataDir: string | undefined, masterKey: Buffer): Promise<Omit<BenchContext, 'url'>> {
  const store = env.DATABASE_URL
    ? await openStore({ engine: 'postgres', databaseUrl: env.DATABASE_URL, poolSize: 4 })
    : await openStore({ engine: 'pglite', dataDir });
  await store.migrate();
  const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: createSecretBox(masterKey), hasher: argon2Hasher });
  // Provisioned the way users do it: a `roster apply` document.
  const jwtSecret = randomBytes(32).toString('hex');
  const clubToken = randomBytes(24).toString('base64url');
  const report = await applyProvisioning(core, {
    tenants: [
      {
        name: 'bench',
        sites: [
          {
            name: 'bench',
            gigya: {},
            boostcom: {
              slug: 'bench',
              club: {
                member_schema: {
                  $schema: 'http://json-schema.org/draft-04/schema#',
                  type: 'object',
                  identifiers: ['email'],
                  languages: ['en'],
                  default_language: 'en',
                  properties: { email: { type: 'string', format: 'email' }, first_name: { type: 'string' }, last_name: { type: 'string' } },
                },
              },
              clients: [{ name: 'bench', token: clubToken, permits: ['BL:Api:Members:Create', 'BL:Api:Members:Get'] }],
            },
            naviga: { clientCode: 'BENCH', paperCode: 'BENCH', groupCode: 'BENCH', jwt: { secret: jwtSecret } },
          },
        ],
        keys: [{ label: 'bench', permissions: ['*'] }],
      },
    ],
  });
  const tenant = await core.tenants.resolve('bench');
  const site = await core.sites.resolve(tenant.id, 'bench');
  const key = report.keys[0] as { userKey: string; secret?: string };
  const secret = key.secret as string;
  const started = Date.now();
  await seedAccounts(store, tenant.id, plan.seed);
  log(`seeded ${plan.seed} accounts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const loginAccounts = Math.min(plan.seed, 1000);
  await seedLoginAccounts(store, tenant.id, loginAccounts);
  await store.close();
  return {
    apiKey: site.gigyaApiKey as string,
    userKey: key.userKey,
    secret,
    tenantId: tenant.id,
    seeded: plan.seed,
    loginAccounts,
    clubSlug: 'bench',
    clubToken,
    naviga: {
      clientCode: 'BENCH',
      paperCode: 'BENCH',
      groupCode: 'BENCH',
      jwt: await new SignJWT({ sub: 'bench' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(new TextEncoder().encode(jwtSecret)),
    },
  };
}

/**
 * The server runs compiled, as users run it (`npm run build`, then bin/roster.js picks dist/):
 * from source, tsx's loader thread and transpiled modules add 60-70 MB of RSS and CPU at start.
 * BENCH_FROM_SOURCE=true measures the source instead.
 */
function buildServer(): void {
  if (process.env.BENCH_FROM_SOURCE === 'true') {
    log('server: from source (tsx)');
    return;
  }
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.js', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
  log('server: compiled (dist/)');
}

/** A warm-up, then the measured run, with the server process's CPU per request and peak RSS. */
async function warmedRun(pid: number, options: Omit<LoadOptions, 'duration'>) {
  await runLoad({ ...options, duration: plan.warmup });
  const rss = sampleRss(pid);
  const cpuMeter = measureCpu(pid);
  const result: LoadResult = await runLoad({ ...options, duration: plan.duration });
  return { result, rssBytes: rss.stop(), cpu: cpuMeter.stop(result.requests) };
}

async function main(): Promise<void> {
  buildServer();
  // The machine may be shared: the load average before and after is part of the result.
  const loadAtStart = loadavg();
  const masterKey = randomBytes(32);
  // Batching, worker and embedded-compiler settings are passed through, to measure the server with and without them.
  const tuning = Object.fromEntries(Object.entries(process.env).filter(([name]) => /^ROSTER_(BATCH|EMBEDDED_OPTIMISE|WORKER)/.test(name)));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ROSTER_MASTER_KEY: masterKey.toString('base64'),
    ROSTER_DB_POOL_SIZE: String(POOL_SIZE),
    ...(process.env.BENCH_FROM_SOURCE === 'true' && { ROSTER_RUN_SOURCE: 'true' }),
    // accounts.login is an anonymous (apiKey-only) call, limited per site to 600 a minute by default:
    // the benchmark measures logins, not that limiter.
    ROSTER_GIGYA_RATE_LIMIT_CLIENT: '100000000',
    ...tuning,
  };
  let dataDir: string | undefined;
  let database: string | undefined;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  if (engine === 'postgres') {
    await admin.connect();
    database = `roster_bench_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    env.DATABASE_URL = ADMIN_URL.replace(/\/[^/]*$/, `/${database}`);
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'roster-bench-'));
    env.ROSTER_DATA_DIR = dataDir;
  }

  const servers: RunningServer[] = [];
  const results: ScenarioResult[] = [];
  // What the database alone answers for the smallest read (reported beside the table, not a ratio).
  let readCeiling: number | undefined;
  try {
    const prepared = await prepareStore(env, dataDir, masterKey);
    const roster = await startRoster(env);
    servers.push(roster);
    const bare = await startProcess(
      ['--import', 'tsx', fileURLToPath(new URL('./baseline-server.ts', import.meta.url))],
      { PATH: process.env.PATH },
      '/readyz',
    );
    servers.push(bare);
    const ctx: BenchContext = { ...prepared, url: roster.url };
    // The same SQL behind a bare node:http server: what the framework and facade cost (PostgreSQL only).
    let sameSqlServer: RunningServer | undefined;
    if (engine === 'postgres' && scenarios.some((s) => s.sameSql)) {
      sameSqlServer = await startProcess(
        ['--import', 'tsx', fileURLToPath(new URL('./same-sql-server.ts', import.meta.url))],
        { PATH: process.env.PATH, DATABASE_URL: env.DATABASE_URL, ROSTER_DB_POOL_SIZE: String(POOL_SIZE), BENCH_TENANT_ID: prepared.tenantId, ...tuning },
        '/readyz',
      );
      servers.push(sameSqlServer);
    }

    let dbBaseline: number | undefined;
    const measureDbBaseline = async () => {
      if (dbBaseline !== undefined) return dbBaseline;
      if (engine !== 'postgres' || !env.DATABASE_URL) return undefined;
      log('baseline: raw node-pg upsert loop');
      dbBaseline = (await rawUpsertLoop(env.DATABASE_URL, POOL_SIZE, CONNECTIONS, plan.duration)).rps;
      return dbBaseline;
    };

    for (const scenario of scenarios) {
      const load = scenario.load(ctx);
      const probe = load.next?.();
      const response = await fetch(`${ctx.url}${probe?.path ?? '/'}`, {
        method: probe?.method ?? load.method ?? 'GET',
        headers: { ...load.headers, ...probe?.headers },
        body: probe?.body,
      });
      const body = await response.text();
      if (response.status === 404 || (load.check && !load.check(body))) {
        results.push({ name: scenario.name, status: 'skipped', reason: response.status === 404 ? 'route not served' : `probe failed: ${body.slice(0, 120)}` });
        log(`skip ${scenario.name}: ${results.at(-1)?.reason}`);
        continue;
      }
      log(`run ${scenario.name}`);
      const connections = scenario.connections ?? CONNECTIONS;
      const { result, rssBytes, cpu } = await warmedRun(roster.pid, { url: ctx.url, connections, ...load });
      let baseline: ScenarioResult['baseline'];
      if (scenario.baseline === 'hash') {
        // The same number of verifies in flight as logins were.
        const hash = await argon2VerifyLoop(connections, plan.duration);
        baseline = { kind: `argon2id verify alone (${hash.meanMs.toFixed(1)} ms each)`, rps: hash.rps };
      } else if (scenario.baseline === 'db') {
        const rps = await measureDbBaseline();
        if (rps !== undefined) baseline = { kind: 'raw pg upsert', rps };
      } else {
        const size = Math.max(result.bodyBytes, body.length);
        const http = await runLoad({
          url: bare.url,
          connections: CONNECTIONS,
          duration: plan.duration,
          method: 'GET',
          next: () => ({ path: `/json/${size}` }),
        });
        baseline = { kind: `bare Fastify ${size} B`, rps: http.rps };
      }
      let sameSql: ScenarioResult['sameSql'];
      if (scenario.sameSql && sameSqlServer) {
        log(`baseline: same SQL behind node:http for ${scenario.name}`);
        const same = await warmedRun(sameSqlServer.pid, { connections, ...scenario.load({ ...ctx, url: sameSqlServer.url }), url: sameSqlServer.url });
        sameSql = { rps: same.result.rps, p99: same.result.p99, ...(same.cpu && { cpu: same.cpu }) };
      }
      results.push({
        name: scenario.name,
        status: 'ok',
        result,
        ...(sameSql && { sameSql }),
        rssBytes,
        ...(cpu && { cpu }),
        ...(baseline && { baseline, ratio: result.rps / baseline.rps }),
        goal: { ...(scenario.goalRatio !== undefined && { ratio: scenario.goalRatio }), p99Ms: scenario.p99GoalMs ?? 50, rssBytes: 300 * 1024 * 1024 },
      });
    }
    if (engine === 'postgres' && env.DATABASE_URL) {
      log('reference: raw node-pg primary-key read loop');
      readCeiling = (await rawReadLoop(env.DATABASE_URL, POOL_SIZE, CONNECTIONS, plan.duration, prepared.tenantId, prepared.seeded)).rps;
    }
  } finally {
    for (const server of servers.reverse()) await server.stop();
    if (database) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }

  const machine = machineDescription(engine);
  const table = markdownTable(results);
  const file = writeResults(fileURLToPath(new URL('./results', import.meta.url)), {
    mode,
    engine,
    machine,
    plan,
    connections: CONNECTIONS,
    poolSize: POOL_SIZE,
    results,
    loadAverage: { start: loadAtStart, end: loadavg() },
    ...(readCeiling !== undefined && { readCeilingRps: readCeiling }),
  });
  process.stdout.write(
    `\n${machine}; load average ${loadAtStart.map((n) => n.toFixed(2)).join(' ')} at the start, ${loadavg()
      .map((n) => n.toFixed(2))
      .join(
        ' ',
      )} at the end; ${mode} run: warm-up ${plan.warmup} s, ${plan.duration} s per scenario, ${CONNECTIONS} connections, ${plan.seed} seeded accounts\n\n${table}\n\n${
      readCeiling !== undefined
        ? `database read ceiling (raw node-pg primary-key read, pool ${POOL_SIZE}, ${CONNECTIONS} in flight): ${Math.round(readCeiling)} reads/s\n`
        : ''
    }results: ${file}\n`,
  );
  // The smoke run proves every scenario works end to end: one that cannot run fails it.
  if (results.every((r) => r.status === 'skipped') || (mode === 'smoke' && results.some((r) => r.status === 'skipped'))) process.exitCode = 1;
}

await main();
