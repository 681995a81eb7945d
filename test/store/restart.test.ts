import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { engines, newTenant, openTestStore, testCore } from '../helpers/store.js';

describe('restart', () => {
  it('keeps what was written through the embedded store after it is closed and reopened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-restart-'));
    try {
      let store = await openStore({ engine: 'pglite', dataDir: dir });
      await store.migrate();
      const { ctx } = await newTenant(testCore(store));
      const { account } = await testCore(store).accounts.upsertLite(ctx, { email: 'kept@example.com', profile: { firstName: 'Kept' } }, { via: 'lite' });
      await store.close();

      store = await openStore({ engine: 'pglite', dataDir: dir });
      await store.migrate();
      const view = await testCore(store).accounts.get(ctx, account.uid);
      assert.equal(view.email, 'kept@example.com');
      assert.equal(view.profile.firstName, 'Kept');
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a directory that holds something other than a cluster, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-not-a-cluster-'));
    try {
      writeFileSync(join(dir, 'global'), 'not a directory');
      await assert.rejects(openStore({ engine: 'pglite', dataDir: dir }), (error: Error) => {
        assert.match(error.message, /could not create its cluster in/);
        assert.ok(error.message.includes(dir));
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  if (engines().includes('postgres')) {
    it('keeps what was written through PostgreSQL after the pool is closed and reopened', async () => {
      let store = await openTestStore('postgres');
      const { ctx } = await newTenant(testCore(store));
      const { account } = await testCore(store).accounts.upsertLite(ctx, { email: 'kept@example.com' }, { via: 'lite' });
      await store.close();
      store = await openTestStore('postgres');
      assert.equal((await testCore(store).accounts.get(ctx, account.uid)).email, 'kept@example.com');
      await store.close();
    });
  }
});
