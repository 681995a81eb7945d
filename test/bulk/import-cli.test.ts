import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/index.js';
import { ROSTER_BIN, roster } from '../helpers/cli.js';

/** The real `roster import` / `roster export` commands against the suite's engine. */
const dir = mkdtempSync(join(tmpdir(), 'roster-bulk-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ROSTER_DATA_DIR: join(dir, 'data'),
  ROSTER_LOG_LEVEL: 'silent',
  ROSTER_DEMO: 'false',
  ...(process.env.DATABASE_URL && { ROSTER_MASTER_KEY: randomBytes(32).toString('base64') }),
};
const suffix = `${process.pid}-${Date.now().toString(36)}`;

async function ok(args: string[]) {
  const result = await roster(args, env);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const SITES = ['bad', 'csv', 'rt1', 'rt2', 'kill'];
/** The sites are provisioned once in before(): each CLI start costs seconds on the embedded store. */
async function newSite(name: string): Promise<string> {
  return `3_bulk_${name}_${suffix}`;
}

function ndjson(rows: unknown[]): string {
  return rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');
}

const byEmail = (a: { email: string }, b: { email: string }) => (a.email < b.email ? -1 : 1);
const readNdjson = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('roster import and export', () => {
  before(async () => {
    const file = join(dir, 'sites.json');
    const tenants = SITES.map((name) => ({ name: `${name}-${suffix}`, sites: [{ name: 'web', gigya: { apiKey: `3_bulk_${name}_${suffix}` } }] }));
    writeFileSync(file, JSON.stringify({ tenants }));
    await ok(['apply', file]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports NDJSON, reports bad rows with their line numbers in the results file, and prints plain progress lines', async () => {
    const site = await newSite('bad');
    const file = join(dir, 'bad.ndjson');
    writeFileSync(
      file,
      ndjson([
        { email: 'a@example.com', profile: { firstName: 'A' } },
        '{"email": ',
        '',
        { email: 'not an email' },
        { email: 'b@example.com', subscriptions: { news: { email: { isSubscribed: 'yes' } } } },
        { email: 'c@example.com', data: { x: 1 } },
      ]),
    );
    const result = await roster(['import', file, '--site', site, '--batch-size', '2', '--progress-interval', '0'], env);
    assert.equal(result.code, 1, 'bad rows make the exit code 1');
    assert.match(result.stdout, /import done: 5 rows, 2 created, 0 updated, 3 bad rows/);
    assert.match(result.stderr, /^importing [\d,]+(\/[\d,]+)? rows {2}[\d,]+ rows\/s {2}\d+ errors {2}ETA/m);
    const results = readNdjson(`${file}.results.ndjson`);
    assert.deepEqual(
      results.map((r) => [r.line, r.email]),
      [
        [2, null],
        [4, 'not an email'],
        [5, 'b@example.com'],
      ],
    );
    assert.match(results[2].error, /isSubscribed must be true or false/);

    const dry = await roster(['import', file, '--site', site, '--dry-run', '--json', '--results', join(dir, 'dry.ndjson')], env);
    assert.deepEqual(JSON.parse(dry.stdout), { dryRun: true, rows: 5, failed: 3, results: join(dir, 'dry.ndjson') });
    assert.equal(readNdjson(join(dir, 'dry.ndjson')).length, 3);
  });

  it('imports CSV with dotted columns and refuses a header with a wrong column', async () => {
    const site = await newSite('csv');
    const file = join(dir, 'people.csv');
    writeFileSync(
      file,
      '\uFEFFemail,profile.firstName,subscriptions.news.email.isSubscribed\r\n"a@example.com","Åse ""A""",true\r\nb@example.com,Bo,false\r\n',
    );
    const result = await ok(['import', file, '--site', site, '--json']);
    assert.equal(JSON.parse(result.stdout).created, 2);
    const out = join(dir, 'csv-export.ndjson');
    await ok(['export', '--site', site, '--out', out]);
    const exported = readNdjson(out).sort(byEmail);
    assert.equal(exported[0].profile.firstName, 'Åse "A"');
    assert.equal(exported[0].subscriptions.news.email.isSubscribed, true);
    assert.equal(exported[1].subscriptions.news.email.isSubscribed, false);

    const wrong = join(dir, 'wrong.csv');
    writeFileSync(wrong, 'email,profile.firstName,colour\na@example.com,A,red\n');
    const refused = await roster(['import', wrong, '--site', site, '--abandon-running'], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /unknown CSV column "colour"/);
  });

  it('round-trips: import(export(x)) exports the same accounts again', async () => {
    const source = await newSite('rt1');
    const target = await newSite('rt2');
    const file = join(dir, 'rt.ndjson');
    writeFileSync(
      file,
      ndjson(
        Array.from({ length: 30 }, (_, i) => ({
          email: `p${i}@example.com`,
          profile: { firstName: `P${i}`, address: { city: 'Oslo' } },
          data: { score: i, list: [i, 'x'] },
          subscriptions: {
            news: { email: { isSubscribed: i % 2 === 0, tags: ['t'], lastUpdatedSubscriptionState: '2023-03-03T03:03:03.000Z' } },
            offers: {
              weekly: {
                email: { isSubscribed: true, doubleOptIn: { status: 'Confirmed', confirmTime: '2023-01-01T00:00:00.000Z', doiConditionallyConfirmed: false } },
              },
            },
          },
          preferences: { terms: { tos: { isConsentGranted: true, docVersion: '3', lang: 'nb', lastConsentModified: '2022-02-02T00:00:00.000Z' } } },
        })),
      ),
    );
    await ok(['import', file, '--site', source]);
    const first = join(dir, 'rt-1.ndjson');
    await ok(['export', '--site', source, '--out', first]);
    await ok(['import', first, '--site', target]);
    const second = join(dir, 'rt-2.ndjson');
    await ok(['export', '--site', target, '--out', second]);
    const a = readNdjson(first).sort(byEmail);
    const b = readNdjson(second).sort(byEmail);
    assert.equal(a.length, 30);
    assert.deepEqual(b, a);
    assert.deepEqual(a[1].subscriptions.offers.weekly.email.doubleOptIn.status, 'Confirmed');

    const full = join(dir, 'rt-full.ndjson');
    await ok(['export', '--site', target, '--full', '--out', full, '--since', '2000-01-01T00:00:00Z']);
    const row = readNdjson(full)[0];
    assert.match(row.UID, /^[0-9a-f]{32}$/);
    assert.equal(row.hasLiteAccount, true);
    // Ordered by lastUpdated.
    const times = readNdjson(full).map((r) => r.lastUpdated);
    assert.deepEqual([...times].sort(), times);
  });

  it('resumes after SIGKILL with the same command and applies every row exactly once', async () => {
    const site = await newSite('kill');
    const n = 1200;
    const file = join(dir, 'kill.ndjson');
    // Every email twice: granted in the first half, withdrawn in the second. A batch applied twice
    // would add consent history rows; a lost batch would leave consents granted.
    const rows = [
      ...Array.from({ length: n }, (_, i) => ({ email: `k${i}@example.com`, preferences: { terms: { isConsentGranted: true } } })),
      ...Array.from({ length: n }, (_, i) => ({ email: `k${i}@example.com`, preferences: { terms: { isConsentGranted: false } } })),
    ];
    writeFileSync(file, ndjson(rows));
    const args = [ROSTER_BIN, 'import', file, '--site', site, '--batch-size', '100', '--progress-interval', '0'];
    const killedAt = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (chunk) => {
        err += chunk;
        const done = [...err.matchAll(/importing ([\d,]+)/g)].map((m) => Number(m[1]?.replaceAll(',', '')));
        if ((done.at(-1) ?? 0) >= 600) child.kill('SIGKILL');
      });
      child.on('error', reject);
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(err) : reject(new Error(`import ended before it was killed:\n${err}`))));
    });
    assert.match(killedAt, /importing/);

    const resumed = await roster(['import', file, '--site', site, '--json', '--batch-size', '100'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming import job/);
    const report = JSON.parse(resumed.stdout);
    assert.equal(report.resumed, true);
    assert.equal(report.rows, 2 * n);
    assert.equal(report.created, n);
    assert.equal(report.failed, 0);

    const out = join(dir, 'kill-export.ndjson');
    await ok(['export', '--site', site, '--out', out]);
    const exported = readNdjson(out);
    assert.equal(exported.length, n);
    assert.ok(exported.every((r) => r.preferences.terms.isConsentGranted === false));
    // Exactly-once: one consent history row per change (2 per account) and one account.created event each.
    const store = process.env.DATABASE_URL
      ? await openStore({ engine: 'postgres', databaseUrl: process.env.DATABASE_URL, poolSize: 1 })
      : await openStore({ engine: 'pglite', dataDir: env.ROSTER_DATA_DIR });
    try {
      const tenant = await store.db.selectFrom('sites').select('tenant_id').where('gigya_api_key', '=', site).executeTakeFirstOrThrow();
      const count = async (table: 'consent_history' | 'outbox_events', type?: string) => {
        let query = store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('tenant_id', '=', tenant.tenant_id);
        if (type) query = query.where(sql<boolean>`type = ${type}`);
        return Number((await query.executeTakeFirstOrThrow()).n);
      };
      assert.equal(await count('consent_history'), 2 * n);
      assert.equal(await count('outbox_events', 'account.created'), n);
    } finally {
      await store.close();
    }
  });
});
