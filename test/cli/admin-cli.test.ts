import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/runtime.js';
import { roster } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'roster-admin-cli-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ROSTER_DATA_DIR: dir,
  ROSTER_LOG_LEVEL: 'silent',
  ...(process.env.DATABASE_URL && { ROSTER_MASTER_KEY: randomBytes(32).toString('base64') }),
};
const email = `ops.${process.pid}.${Date.now().toString(36)}@example.com`;

async function json(args: string[]) {
  const result = await roster([...args, '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** What signing in with this password answers, through the core as the console would. */
async function signIn(password: string): Promise<string> {
  const runtime = await openRuntime(loadConfig(env));
  try {
    const outcome = await runtime.core.adminIdentity.login(email, password, undefined, { ip: null, userAgent: null });
    return outcome.ok ? 'ok' : outcome.reason;
  } finally {
    await runtime.close();
  }
}

describe('roster admin', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('creates an admin with a generated password shown once, resets it, and refuses bad input', async () => {
    const tenant = await json(['tenant', 'create', '--name', `ops-${process.pid}-${Date.now().toString(36)}`]);
    const created = await json(['admin', 'create', '--email', email, '--role', 'support', '--tenant', tenant.name, '--totp']);
    assert.equal(created.role, 'support');
    assert.deepEqual(created.tenantIds, [tenant.id]);
    assert.ok(created.password.length >= 20);
    assert.match(created.totpUrl, /^otpauth:\/\/totp\/Roster:/);
    const listed = await json(['admin', 'list']);
    assert.ok(listed.admins.some((a: { email: string; totpEnabled: boolean }) => a.email === email && a.totpEnabled));

    const reset = await json(['admin', 'reset-password', '--email', email, '--password', 'a brand new passphrase']);
    assert.equal(reset.email, email);
    assert.equal(reset.password, undefined, 'a given password is not echoed');
    assert.equal(await signIn(created.password), 'invalid');
    // The new password is right; TOTP is on, so the code is asked for next.
    assert.equal(await signIn('a brand new passphrase'), 'totp_required');

    const noTenant = await roster(['admin', 'create', '--email', `x${email}`, '--role', 'viewer'], env);
    assert.equal(noTenant.code, 2);
    assert.match(noTenant.stderr, /at least one tenant/);
  });

  it('a generated owner password signs in', async () => {
    const owner = `owner.${email}`;
    const created = await json(['admin', 'create', '--email', owner]);
    assert.equal(created.role, 'owner');
    const runtime = await openRuntime(loadConfig(env));
    try {
      assert.ok((await runtime.core.adminIdentity.login(owner, created.password, undefined, { ip: null, userAgent: null })).ok);
    } finally {
      await runtime.close();
    }
  });
});
