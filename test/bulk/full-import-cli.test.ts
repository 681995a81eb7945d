import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashSync } from '@node-rs/bcrypt';
import { buildApp } from '../../src/app.js';
import { createCore } from '../../src/core/index.js';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import { openStore } from '../../src/store/index.js';
import { cryptoIds, systemClock } from '../../src/system.js';
import { testConfig } from '../helpers/app.js';
import { roster } from '../helpers/cli.js';
import { call } from '../helpers/gigya.js';
import { testSecretBox } from '../helpers/store.js';

/** The real `roster import --full` command, then logins through the Gigya door on the same database. */
const dir = mkdtempSync(join(tmpdir(), 'roster-full-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ROSTER_DATA_DIR: join(dir, 'data'),
  ROSTER_LOG_LEVEL: 'silent',
  ROSTER_DEMO: 'false',
  ...(process.env.DATABASE_URL && { ROSTER_MASTER_KEY: randomBytes(32).toString('base64') }),
};
const apiKey = `3_full_${process.pid}_${Date.now().toString(36)}`;

describe('roster import --full', () => {
  before(async () => {
    const file = join(dir, 'sites.json');
    writeFileSync(file, JSON.stringify({ tenants: [{ name: `full-${apiKey}`, sites: [{ name: 'web', gigya: { apiKey } }] }] }));
    const applied = await roster(['apply', file], env);
    assert.equal(applied.code, 0, applied.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('imports full accounts with foreign hashes without hashing; each logs in with its old password', async () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const rows: unknown[] = [];
    for (let i = 0; i < 60; i++) {
      const email = `user${i}@example.com`;
      const password = `old-pass-${i}`;
      const kind = i % 3;
      const salt = randomBytes(8).toString('base64');
      const passwordObject =
        kind === 0
          ? { hashedPassword: md5(password), hashSettings: { algorithm: 'md5' } }
          : kind === 1
            ? {
                hashedPassword: createHash('sha256')
                  .update(Buffer.concat([Buffer.from(password), Buffer.from(salt, 'base64')]))
                  .digest('base64'),
                hashSettings: { algorithm: 'sha256', salt },
              }
            : { compoundHashedPassword: hashSync(password, 4) };
      rows.push({ UID: `uid-${i}`, loginIDs: { emails: [email] }, emails: { verified: [email] }, profile: { firstName: `F${i}` }, password: passwordObject });
    }
    // The same person again under another UID, in the same batch: merged into the first, never a second account.
    rows.push({ UID: 'dup-0', loginIDs: { emails: ['USER0@example.com'] }, profile: { lastName: 'Again' } });
    rows.push({ UID: 'bad-1', loginIDs: { emails: ['bad1@example.com'] }, password: { hashedPassword: 'AAAA', hashSettings: { algorithm: 'sha1' } } });
    rows.push({ UID: 'bad-2', colour: 'red' });
    const file = join(dir, 'full.ndjson');
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));

    const result = await roster(['import', file, '--full', '--site', apiKey, '--json'], env);
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.rows, 63);
    assert.equal(report.created, 60);
    assert.equal(report.updated, 1);
    assert.equal(report.failed, 2);
    const bad = readFileSync(`${file}.results.ndjson`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      bad.map((b) => b.line),
      [62, 63],
    );
    assert.match(bad[0].error, /password\.hashedPassword/);
    assert.match(bad[1].error, /unknown field colour/);

    // Re-running converges (upsert): nothing new, nothing lost.
    const again = await roster(['import', file, '--full', '--site', apiKey, '--json'], env);
    assert.equal(JSON.parse(again.stdout).updated, 61);

    const store = process.env.DATABASE_URL
      ? await openStore({ engine: 'postgres', databaseUrl: process.env.DATABASE_URL, poolSize: 4 })
      : await openStore({ engine: 'pglite', dataDir: join(dir, 'data') });
    const core = createCore({ store, clock: systemClock, ids: cryptoIds, secretBox: testSecretBox, hasher: argon2Hasher });
    const app = await buildApp({ config: testConfig(), core, store });
    try {
      for (const i of [0, 1, 2, 59]) {
        const ok = await call(app, 'accounts.login', { apiKey, loginID: `user${i}@example.com`, password: `old-pass-${i}` });
        assert.equal(ok.body.errorCode, 0, ok.raw);
        assert.equal(ok.body.UID, `uid-${i}`);
        assert.equal(ok.body.isVerified, true);
        if (i === 0) assert.deepEqual(ok.body.profile, { email: 'user0@example.com', firstName: 'F0', lastName: 'Again' });
        const wrong = await call(app, 'accounts.login', { apiKey, loginID: `user${i}@example.com`, password: 'nope-nope' });
        assert.equal(wrong.body.errorCode, 403042);
      }
    } finally {
      await app.close();
      await store.close();
    }
  });
});
