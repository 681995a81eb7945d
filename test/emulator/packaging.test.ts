import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ApplyFileError } from '../../src/cli/apply.js';
import { defaultFixtureDocument, parseFixture } from '../../src/emulator/fixture.js';
import { ROSTER_BIN } from '../helpers/cli.js';

/** @see issue 21: the CLI, the package export from a consumer's node_modules, the fixture format, the documented example. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'roster-emulator-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; untilLine?: RegExp }) {
  const child = spawn(args[0] as string, args.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no line matching ${options.untilLine} in time:\n${stdout}\n${stderr}`));
    }, 240_000); // a guard against a hang, not a speed check: a loaded CI machine may take minutes
    child.stdout.on('data', () => {
      const match = options.untilLine && stdout.split('\n').find((l) => options.untilLine?.test(l));
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before the line:\n${stdout}\n${stderr}`));
    });
  });
  return { child, exited, line, output: () => ({ stdout, stderr }) };
}

describe('docs/testing.md', () => {
  it('shows the example suite exactly as test/emulator/example.test.ts runs it', () => {
    const doc = readFileSync(join(ROOT, 'docs/testing.md'), 'utf8');
    const block = /<!-- example:start -->\n```ts\n([\s\S]*?)```\n<!-- example:end -->/.exec(doc)?.[1];
    assert.ok(block, 'docs/testing.md has the example block');
    // On a difference: paste test/emulator/example.test.ts between the markers again.
    assert.equal(block, readFileSync(join(ROOT, 'test/emulator/example.test.ts'), 'utf8'));
  });
});

describe('fixture format', () => {
  it('takes a plain or a hashed password, refuses a bad hash and bad people, naming where', () => {
    const document = defaultFixtureDocument() as { tenants: Array<{ people: unknown[] }> };
    document.tenants[0]?.people.push({ email: 'pw@example.com', password: 'hunter2' });
    assert.equal(parseFixture(document, 'http://127.0.0.1:1').people.get('emulator')?.[2]?.password, 'hunter2');
    document.tenants[0]?.people.push(
      { email: 'x@example.com', subscriptions: { weekly: { fax: {} } } },
      { email: 'md5@example.com', password: { hashedPassword: 'not-base64-of-16-bytes', hashSettings: { algorithm: 'md5' } } },
      { email: 'rot@example.com', password: { hashedPassword: 'abc', hashSettings: { algorithm: 'rot13' } } },
    );
    assert.throws(
      () => parseFixture(document, 'http://127.0.0.1:1'),
      (error: unknown) =>
        error instanceof ApplyFileError &&
        /\/tenants\/0\/people\/3\/subscriptions/.test(error.message) &&
        /\/tenants\/0\/people\/4\/password: password.hashedPassword: expected Base64 of a 16-byte md5 digest/.test(error.message) &&
        /\/tenants\/0\/people\/5\/password: password.hashSettings.algorithm: supported: md5/.test(error.message) &&
        !/people\/2/.test(error.message),
    );
  });

  it('checks the provisioning part with the apply format, and puts the base URL in place', () => {
    assert.throws(() => parseFixture({ tenants: [{ name: 'a', sitez: [] }] }, 'http://x'), /does not match the apply format/);
    const fixture = parseFixture(defaultFixtureDocument(), 'http://127.0.0.1:4321');
    assert.equal(
      fixture.provisioning.tenants[0]?.sites?.[0]?.naviga?.ssor?.urlTemplate,
      'http://127.0.0.1:4321/__emulator/naviga-provider/users?email={email}',
    );
    assert.equal(fixture.people.get('emulator')?.[0]?.email, 'ada@example.com');
  });
});

describe('roster emulate', () => {
  it('starts from a YAML fixture, serves it, writes nothing to disk, and stops on SIGTERM', async () => {
    const cwd = join(scratch, 'cli');
    mkdirSync(cwd);
    writeFileSync(
      join(cwd, 'fixture.yaml'),
      [
        'tenants:',
        '  - name: acme',
        '    sites:',
        '      - name: web',
        '        gigya: { apiKey: 3_acme }',
        '    keys:',
        '      - { userKey: AAcmeKey, secret: c2VjcmV0LXNlY3JldA==, permissions: ["*"] }',
        '    people:',
        '      - email: grace@example.com',
        '        profile: { firstName: Grace }',
        '        consents: { terms: { isGranted: true, version: "2" } }',
        '',
      ].join('\n'),
    );
    const emulate = run([process.execPath, ROSTER_BIN, 'emulate', 'fixture.yaml', '--json'], {
      cwd,
      env: { PORT: '0', ROSTER_LOG_LEVEL: 'warn', ROSTER_DATA_DIR: join(cwd, 'data') },
      untilLine: /^\{"baseUrl"/,
    });
    try {
      const started = JSON.parse(await emulate.line) as { baseUrl: string; credentials: { gigya: Record<string, string> }; timings: { totalMs: number } };
      assert.deepEqual(started.credentials.gigya, { apiKey: '3_acme', userKey: 'AAcmeKey', secret: 'c2VjcmV0LXNlY3JldA==' });
      assert.ok(started.timings.totalMs > 0);
      const search = await fetch(`${started.baseUrl}/accounts.search`, {
        method: 'POST',
        body: new URLSearchParams({ ...started.credentials.gigya, query: "SELECT * FROM emailAccounts WHERE profile.email = 'grace@example.com'" }),
      });
      const found = (await search.json()) as { results: Array<{ profile: { firstName: string } }> };
      assert.equal(found.results[0]?.profile.firstName, 'Grace');
      const reset = await fetch(`${started.baseUrl}/__emulator/reset`, { method: 'POST' });
      assert.equal(reset.status, 200);
    } finally {
      emulate.child.kill('SIGTERM');
    }
    assert.equal(await emulate.exited, 0, emulate.output().stderr);
    assert.deepEqual(readdirSync(cwd), ['fixture.yaml'], 'no data directory, lock or key file');
    assert.equal(existsSync(join(cwd, 'data')), false);
  });
});

describe("roster/testing from a consumer's node_modules", () => {
  it('imports, starts, answers and closes in a plain Node process (no TypeScript loader)', async () => {
    const consumer = join(scratch, 'consumer');
    mkdirSync(join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(consumer, 'node_modules', 'roster'), 'dir');
    writeFileSync(join(consumer, 'package.json'), '{ "name": "consumer", "type": "module", "private": true }\n');
    writeFileSync(
      join(consumer, 'check.js'),
      [
        "import { startRoster } from 'roster/testing';",
        'const roster = await startRoster();',
        "const info = await (await fetch(roster.baseUrl + '/__emulator')).json();",
        'await roster.close();',
        'console.log(JSON.stringify({ tenant: roster.credentials.tenant, same: info.baseUrl === roster.baseUrl }));',
      ].join('\n'),
    );
    const check = run([process.execPath, 'check.js'], { cwd: consumer, env: { NODE_OPTIONS: '' }, untilLine: /^\{"tenant"/ });
    const line = await check.line;
    assert.deepEqual(JSON.parse(line), { tenant: 'emulator', same: true });
    assert.equal(await check.exited, 0, check.output().stderr);
  });
});
