import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ApplyFileError, applyProvisioning, parseApplyFile } from '../../src/cli/apply.js';
import { DomainError } from '../../src/core/index.js';
import { substituteEnv } from '../../src/provisioning.js';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { roster } from '../helpers/cli.js';
import { call } from '../helpers/gigya.js';

let t: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'roster-apply-atomic-'));
const suffix = `${process.pid}-${Date.now().toString(36)}`;

before(async () => {
  t = await buildTestApp();
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, document: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(document));
  return path;
}

/**
 * Every row of every tenant-scoped table that this file's tenants own (or that no other tenant
 * owns: a row left by a failed apply), plus this file's tenants: on a PostgreSQL database that
 * other test files write to at the same time, the part of the store this file can change. Rows
 * without a tenant (the console's audit of operators, written by other files) are none of apply's.
 */
async function snapshot(): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name = 'tenant_id' ORDER BY table_name`.execute(t.store.db);
  const mine = `%${suffix}`;
  const state: Record<string, string[]> = {};
  const tenants = await sql<{ row: unknown }>`SELECT to_jsonb(x) AS row FROM tenants x WHERE x.name LIKE ${mine}`.execute(t.store.db);
  state.tenants = tenants.rows.map((r) => JSON.stringify(r.row)).sort();
  for (const { name } of tables.rows) {
    const rows = await sql<{ row: unknown }>`
      SELECT to_jsonb(x) AS row FROM ${sql.table(name)} x
      WHERE x.tenant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tenants o WHERE o.id = x.tenant_id AND o.name NOT LIKE ${mine})`.execute(t.store.db);
    state[name] = rows.rows.map((r) => JSON.stringify(r.row)).sort();
  }
  return state;
}

/** `${NAME}` placeholders as a provisioning file holds them (plain strings, not templates). */
const ref = (name: string) => `\${${name}}`;

/** A document touching every kind of entry, with generated secrets and tokens. */
const everything = (tenant: string, extraSites: unknown[] = []) => ({
  tenants: [
    {
      name: tenant,
      sites: [
        {
          name: 'web',
          gigya: { apiKey: `3_web_${tenant}`, secret: 'c2l0ZS1zZWNyZXQ=' },
          boostcom: { slug: `club-${tenant}`, clients: [{ name: 'app', permits: ['BL:Api:Members:Get'] }] },
        },
        { name: 'club-only', boostcom: { slug: `only-${tenant}` } },
        ...extraSites,
      ],
      keys: [{ label: 'generated' }, { userKey: `U${tenant}`, secret: ref('KEY_SECRET'), permissions: ['accounts.*'] }],
      webhooks: [{ name: 'crm', url: 'https://crm.example/hook', events: ['account.created'], secret: ref('HOOK_SECRET') }],
    },
  ],
});
const env = { KEY_SECRET: Buffer.from('key-secret-from-env').toString('base64'), HOOK_SECRET: 'hook-secret-from-env' };

describe('roster apply is atomic', () => {
  it('a failure on the last entry leaves every table exactly as it was, and nothing generated is lost unseen', async () => {
    // Another tenant holds an apiKey; the file's last site claims it, which only the write can find out.
    await applyProvisioning(
      t.core,
      parseApplyFile(file('holder.json', { tenants: [{ name: `holder-${suffix}`, sites: [{ name: 's', gigya: { apiKey: `3_taken_${suffix}` } }] }] }), env),
    );
    const before = await snapshot();
    const document = everything(`atomic-${suffix}`, [{ name: 'clash', gigya: { apiKey: `3_taken_${suffix}` } }]);
    await assert.rejects(
      applyProvisioning(t.core, parseApplyFile(file('clash.json', document), env), env),
      (e: unknown) => e instanceof DomainError && e.code === 'site.credential_taken',
    );
    assert.deepEqual(await snapshot(), before, 'no tenant, site, key, webhook or club client was left behind');
    await assert.rejects(t.core.tenants.resolve(`atomic-${suffix}`), DomainError);
  });

  it('writes everything once it all succeeds; re-applying reports every entry unchanged; a change reports updated', async () => {
    const tenant = `whole-${suffix}`;
    const path = file('whole.json', everything(tenant));
    const first = await applyProvisioning(t.core, parseApplyFile(path, env), env);
    assert.equal(first.dryRun, false);
    const statuses = (r: typeof first) => [...r.tenants, ...r.sites, ...r.keys, ...r.webhooks, ...r.clubClients].map((x) => x.status);
    assert.deepEqual(statuses(first), ['created', 'created', 'created', 'created', 'created', 'created', 'created']);
    assert.ok(first.keys[0]?.secret, 'the generated key secret is reported');
    assert.ok(first.clubClients[0]?.token, 'the generated club token is reported');

    // The ${ENV} values are what is stored.
    const tenantId = first.tenants[0]?.id as string;
    assert.equal((await t.core.keys.findActive(`U${tenant}`))?.secret, env.KEY_SECRET);
    const [hook] = await t.core.webhooks.list(tenantId as never);
    assert.equal((await t.core.webhooks.findForDelivery(tenantId as never, hook?.id as string))?.secret, 'hook-secret-from-env');

    const second = await applyProvisioning(t.core, parseApplyFile(path, env), env);
    assert.deepEqual(statuses(second), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    assert.equal(second.keys[0]?.secret, undefined);
    assert.equal(second.clubClients[0]?.token, undefined);

    const changedEnv = { ...env, HOOK_SECRET: 'rotated' };
    const third = await applyProvisioning(t.core, parseApplyFile(path, changedEnv), changedEnv);
    assert.deepEqual(
      third.webhooks.map((w) => w.status),
      ['updated'],
      'a rotated secret is a change',
    );
    assert.deepEqual(
      third.keys.map((k) => k.status),
      ['unchanged', 'unchanged'],
    );

    // A club token given in the file replaces the generated one once, then stays unchanged.
    const withToken = everything(tenant);
    const client = withToken.tenants[0]?.sites[0] as { boostcom: { clients: Array<{ token?: string }> } };
    (client.boostcom.clients[0] as { token?: string }).token = 'a-given-club-token-of-32-characters';
    const tokenPath = file('token.json', withToken);
    const rotated = await applyProvisioning(t.core, parseApplyFile(tokenPath, changedEnv), changedEnv);
    assert.deepEqual(
      rotated.clubClients.map((c) => [c.status, c.token]),
      [['updated', undefined]],
    );
    const kept = await applyProvisioning(t.core, parseApplyFile(tokenPath, changedEnv), changedEnv);
    assert.deepEqual(
      kept.clubClients.map((c) => c.status),
      ['unchanged'],
    );
  });

  it('a dry run reports what would change, writes nothing and shows no secrets', async () => {
    const before = await snapshot();
    const report = await applyProvisioning(t.core, parseApplyFile(file('dry.json', everything(`dry-${suffix}`)), env), env, { dryRun: true });
    assert.ok(Object.values(before).flat().length > 0, 'the snapshot sees the rows of the tenants applied above');
    assert.equal(report.dryRun, true);
    assert.deepEqual(
      report.sites.map((s) => s.status),
      ['created', 'created'],
    );
    assert.equal(report.keys[0]?.secret, undefined);
    assert.equal(report.clubClients[0]?.token, undefined);
    assert.deepEqual(await snapshot(), before);
  });

  it('a site without a gigya block is no Gigya door', async () => {
    const tenant = `nodoor-${suffix}`;
    const report = await applyProvisioning(t.core, parseApplyFile(file('nodoor.json', everything(tenant)), env), env);
    const clubOnly = report.sites.find((s) => s.name === 'club-only');
    assert.equal(clubOnly?.apiKey, null);
    const site = await t.core.sites.resolve(report.tenants[0]?.id as never, 'club-only');
    assert.equal(site.gigyaApiKey, null);
    // Adding a gigya block later opens the door with a generated apiKey, kept on the next apply.
    const withDoor = everything(tenant);
    (withDoor.tenants[0]?.sites[1] as { gigya?: object }).gigya = {};
    const opened = await applyProvisioning(t.core, parseApplyFile(file('door.json', withDoor), env), env);
    const generated = opened.sites.find((s) => s.name === 'club-only');
    assert.match(String(generated?.apiKey), /^3_[A-Za-z0-9_-]{64}$/);
    assert.equal(generated?.status, 'updated');
    const again = await applyProvisioning(t.core, parseApplyFile(file('door.json', withDoor), env), env);
    assert.equal(again.sites.find((s) => s.name === 'club-only')?.apiKey, generated?.apiKey);
    assert.equal(again.sites.find((s) => s.name === 'club-only')?.status, 'unchanged');
    // The site with a gigya block answers on its apiKey.
    const r = await call(t.app, 'accounts.getSchema', { apiKey: `3_web_${tenant}` });
    assert.notEqual(r.body.errorCode, 400093, JSON.stringify(r.body));
  });

  it('names a missing environment variable and where it is used, and an unknown key with its path', () => {
    const path = file('env.json', everything(`env-${suffix}`));
    assert.throws(
      () => parseApplyFile(path, { KEY_SECRET: 'x-long-enough' }),
      (e: unknown) => e instanceof ApplyFileError && /\/tenants\/0\/webhooks\/0\/secret: environment variable HOOK_SECRET is not set/.test(e.message),
    );
    const typo = file('typo.json', { tenants: [{ name: 'x', sites: [{ name: 'web', gigya: { apikey: 'k' } }] }] });
    assert.throws(
      () => parseApplyFile(typo, {}),
      (e: unknown) =>
        e instanceof ApplyFileError && /unknown key apikey at \/tenants\/0\/sites\/0\/gigya/.test(e.message) && !/schema is false/.test(e.message),
    );
  });
});

describe('environment placeholders in an apply file', () => {
  it('are read only in secret-bearing fields; $${ is a literal; nothing is read without an environment', async () => {
    const problems: string[] = [];
    const document = { secret: ref('A'), url: `https://x.example/${ref('A')}`, token: `$${ref('A')}`, ssor: { headers: { 'X-Key': `k ${ref('A')}` } } };
    assert.deepEqual(substituteEnv(document, { A: 'v' }, problems), { secret: 'v', url: document.url, token: ref('A'), ssor: { headers: { 'X-Key': 'k v' } } });
    assert.deepEqual(problems, []);
    // applyProvisioning reads no environment unless given one (a document from an API cannot read the server's).
    const doc = { tenants: [{ name: `noenv-${suffix}`, keys: [{ userKey: `N${suffix}`, secret: ref('KEY_SECRET') }] }] };
    await assert.rejects(applyProvisioning(t.core, doc), /KEY_SECRET is not set/);
  });
});

describe('roster apply on the command line', () => {
  const cliDir = mkdtempSync(join(tmpdir(), 'roster-apply-cli-'));
  const cliEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ROSTER_DATA_DIR: cliDir, ROSTER_LOG_LEVEL: 'silent', ...env };
  after(() => rmSync(cliDir, { recursive: true, force: true }));

  it('--dry-run --json shows the plan and writes nothing; a bad file under --json is a JSON error', async () => {
    const path = file('cli.json', everything('cli'));
    const dry = await roster(['apply', path, '--dry-run', '--json'], cliEnv);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout);
    assert.equal(plan.dryRun, true);
    assert.equal(plan.tenants[0].status, 'created');
    const list = await roster(['tenant', 'list', '--json'], cliEnv);
    assert.deepEqual(JSON.parse(list.stdout).tenants, [], 'the dry run wrote nothing');

    const bad = await roster(['apply', path, '--json'], { ...cliEnv, HOOK_SECRET: '' });
    assert.equal(bad.code, 2);
    const error = JSON.parse(bad.stdout).error;
    assert.equal(error.kind, 'apply');
    assert.match(error.problems[0], /HOOK_SECRET is not set/);
  });

  it('has --version and per-command --help', async () => {
    const version = await roster(['--version'], cliEnv);
    assert.match(version.stdout, /^roster \d+\.\d+\.\d+/);
    const help = await roster(['apply', '--help'], cliEnv);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--dry-run/);
    assert.doesNotMatch(help.stdout, /mailbox/, 'only the command asked about');
  });
});
