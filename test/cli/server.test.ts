import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { roster, startServer } from '../helpers/cli.js';

describe('roster start on the embedded store', () => {
  it('prints demo credentials on the first start only, serves /readyz, drains on SIGTERM and keeps its data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-start-'));
    // `npm start` on a fresh clone: no DATABASE_URL, nothing configured.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ROSTER_DATA_DIR: dir };
    const children: Array<{ kill(): boolean }> = [];
    try {
      const first = await startServer(env);
      children.push(first.child);
      const banner = first.output();
      assert.match(banner, /Roster created a demo tenant/);
      const userKey = /userKey {2}(\S+)/.exec(banner)?.[1];
      assert.ok(userKey);
      assert.match(banner, /curl -s http:\/\/127\.0\.0\.1:\d+\/accounts\.importLiteAccount/);
      assert.equal((await fetch(`${first.address}/readyz`)).status, 200);
      // The console's first owner is printed beside the keys, and signs in.
      const adminPassword = /password (\S+)/.exec(banner)?.[1];
      assert.match(banner, /Admin console: http:\/\/127\.0\.0\.1:\d+\/console/);
      const signIn = await fetch(`${first.address}/admin/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password: adminPassword }),
      });
      assert.equal(signIn.status, 200);

      // While it runs, the CLI must not open the same embedded store.
      const locked = await roster(['tenant', 'list'], env);
      assert.equal(locked.code, 1);
      assert.match(locked.stderr, /in use by process/);

      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0);
      assert.match(first.output(), /shutting down/);

      const second = await startServer(env);
      children.push(second.child);
      assert.doesNotMatch(second.output(), /demo tenant/);
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);

      const keys = await roster(['key', 'list', '--tenant', 'demo', '--json'], env);
      assert.equal(keys.code, 0, keys.stderr);
      assert.equal(JSON.parse(keys.stdout).keys[0].userKey, userKey);
    } finally {
      for (const child of children) child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
