import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { roster } from '../helpers/cli.js';

/** The CLI against the suite's engine: a fresh embedded store, or the shared PostgreSQL. */
const dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ROSTER_DATA_DIR: dir,
  ROSTER_LOG_LEVEL: 'silent',
  ...(process.env.DATABASE_URL && { ROSTER_MASTER_KEY: randomBytes(32).toString('base64') }),
};
const suffix = `${process.pid}-${Date.now().toString(36)}`;

async function json(args: string[]) {
  const result = await roster([...args, '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

describe('roster CLI', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, then creates a tenant, a site and a key, printing only JSON with --json', async () => {
    assert.deepEqual(await json(['migrate']), { migrated: true });
    const tenant = await json(['tenant', 'create', '--name', `acme-${suffix}`]);
    assert.equal(tenant.name, `acme-${suffix}`);
    const site = await json(['site', 'create', '--tenant', tenant.name, '--name', 'web', '--club-slug', `club-${suffix}`]);
    assert.match(site.apiKey, /^3_[A-Za-z0-9_-]{64}$/);
    assert.equal(site.clubSlug, `club-${suffix}`);
    const key = await json(['key', 'create', '--tenant', tenant.id, '--label', 'etl', '--permissions', 'accounts.importLiteAccount,accounts.unsubscribe']);
    assert.match(key.userKey, /^A[A-Za-z0-9_-]{12}$/);
    assert.equal(Buffer.from(key.secret, 'base64').length, 32);
    assert.deepEqual(key.permissions, ['accounts.importLiteAccount', 'accounts.unsubscribe']);

    const listed = await json(['key', 'list', '--tenant', tenant.name]);
    assert.equal(listed.keys.length, 1);
    assert.equal(listed.keys[0].userKey, key.userKey);
    assert.ok(!JSON.stringify(listed).includes(key.secret), 'key list never shows secrets');

    assert.deepEqual(await json(['key', 'revoke', '--tenant', tenant.name, '--user-key', key.userKey]), { revoked: key.userKey });
    assert.notEqual((await json(['key', 'list', '--tenant', tenant.name])).keys[0].revokedAt, null);
  });

  it('applies a provisioning file idempotently, keeping the credentials it is given', async () => {
    const apiKey = `3_migrated_${suffix}`;
    const userKey = `AMIGRATED${suffix}`;
    const file = join(dir, 'roster.yaml');
    writeFileSync(
      file,
      [
        'tenants:',
        `  - name: migrated-${suffix}`,
        '    sites:',
        '      - name: web',
        '        gigya:',
        `          apiKey: ${apiKey}`,
        '          secret: c2l0ZS1zZWNyZXQ=',
        '    keys:',
        `      - userKey: ${userKey}`,
        '        secret: dGVzdC1zZWNyZXQ=',
        '        label: identitysync',
        '        permissions: ["accounts.*"]',
        '      - label: generated',
        '',
      ].join('\n'),
    );
    const first = await json(['apply', file]);
    assert.deepEqual(
      first.tenants.map((t: { created: boolean }) => t.created),
      [true],
    );
    assert.equal(first.sites[0].apiKey, apiKey);
    assert.equal(first.keys[0].userKey, userKey);
    assert.equal(first.keys[0].secret, undefined, 'a given secret is not echoed');
    assert.ok(first.keys[1].secret, 'a generated secret is shown once');

    const second = await json(['apply', file]);
    assert.deepEqual(
      [...second.tenants, ...second.sites, ...second.keys].map((x: { created: boolean }) => x.created),
      [false, false, false, false],
    );
    assert.equal(second.keys[1].userKey, first.keys[1].userKey);
    assert.equal(second.keys[1].secret, undefined);
  });

  it('rejects a malformed provisioning file with the path of the problem', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ name: 'x', sites: [{ nme: 'typo' }] }] }));
    const result = await roster(['apply', file], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /does not match the apply format/);
    assert.match(result.stderr, /\/tenants\/0\/sites\/0/);
  });

  it('stops on a bad configuration value, naming the variable', async () => {
    const result = await roster(['tenant', 'list'], { ...env, PORT: 'eighty' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /configuration error: PORT: expected an integer from 0 to 65535, got "eighty"/);
  });

  it('explains unknown commands and missing options', async () => {
    const unknown = await roster(['frobnicate'], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command: frobnicate/);
    const missing = await roster(['tenant', 'create'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --name/);
  });
});
