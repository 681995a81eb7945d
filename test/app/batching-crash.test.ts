import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AccountUid } from '../../src/core/types.js';
import { openStore, type StoreOptions } from '../../src/store/index.js';
import { startServer } from '../helpers/cli.js';
import { type GigyaFixture, gigyaFixture } from '../helpers/gigya.js';
import { type Engine, engines, testCore, testMasterKey } from '../helpers/store.js';

/*
 * Group commit must not acknowledge what it has not committed: `roster start` (batching on, its
 * default) is killed with SIGKILL while 32 clients write, and every write it answered with
 * errorCode 0 must be in the store afterwards, whole (rows and events). Writes it never answered
 * may or may not be there, each whole or not at all.
 */

const ACKNOWLEDGED_BEFORE_KILL = 300;

/**
 * Starts `roster start` on the store, has 32 clients import `body(n)` for n = 0, 1, … and kills
 * the server with SIGKILL once 300 imports were acknowledged. Returns the acknowledged n and how
 * many were sent.
 */
async function importUntilKilled(engine: Engine, dir: string, f: GigyaFixture, body: (n: number) => Record<string, string>) {
  const server = await startServer({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ROSTER_DATA_DIR: dir,
    ROSTER_MASTER_KEY: testMasterKey.toString('base64'),
    ROSTER_DEMO: 'false',
    ROSTER_WORKER: 'false',
    ROSTER_LOG_LEVEL: 'info',
    ROSTER_BATCHING: 'true',
    ...(engine === 'postgres' && { DATABASE_URL: process.env.DATABASE_URL }),
  });
  const acknowledged: number[] = [];
  let sent = 0;
  let killed = false;
  const client = async () => {
    while (!killed) {
      const n = sent++;
      const form = new URLSearchParams({ apiKey: f.apiKey, userKey: f.userKey, secret: f.secret, ...body(n) });
      try {
        const reply = (await (await fetch(`${server.address}/accounts.importLiteAccount`, { method: 'POST', body: form })).json()) as { errorCode: number };
        if (reply.errorCode === 0) acknowledged.push(n);
        else throw new Error(`import failed: ${JSON.stringify(reply)}`);
      } catch (error) {
        if (!killed) throw error;
      }
      if (acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL && !killed) {
        killed = true;
        server.child.kill('SIGKILL');
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: 32 }, client));
    await server.exited;
  } finally {
    killed = true;
    server.child.kill('SIGKILL');
  }
  assert.ok(acknowledged.length >= ACKNOWLEDGED_BEFORE_KILL);
  assert.ok(sent > acknowledged.length, 'imports were in flight when the server was killed');
  return { acknowledged, sent };
}

for (const engine of engines()) {
  describe(`roster start killed with SIGKILL mid-batch on ${engine}`, () => {
    const storeOptions = (dir: string): StoreOptions =>
      engine === 'postgres' ? { engine, databaseUrl: process.env.DATABASE_URL as string, poolSize: 4 } : { engine, dataDir: dir };

    it('keeps every acknowledged import, each with its subscription and events', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'roster-batch-crash-'));
      let store = await openStore(storeOptions(dir));
      try {
        await store.migrate();
        const f = await gigyaFixture(testCore(store));
        await store.close();
        const email = (n: number) => `crash${n}@example.com`;
        const { acknowledged, sent } = await importUntilKilled(engine, dir, f, (n) => ({
          email: email(n),
          subscriptions: JSON.stringify({ news: { email: { isSubscribed: true } } }),
        }));

        store = await openStore(storeOptions(dir));
        const core = testCore(store);
        for (const n of acknowledged) {
          const account = await core.accounts.findByIdentifier(f.ctx, 'email', email(n));
          assert.ok(account, `acknowledged ${email(n)} is stored`);
          assert.deepEqual(
            account.subscriptions.map((s) => [s.subscriptionId, s.isSubscribed]),
            [['news', true]],
          );
          const events = await store.outbox.listForAccount(f.tenant.id, account.uid as AccountUid);
          assert.deepEqual(
            events.map((e) => e.event.type),
            ['account.created', 'subscription.changed'],
          );
        }
        // Nothing half-written or invented: every stored account is a sent email, with its subscription.
        const rows = await store.db
          .selectFrom('accounts as a')
          .innerJoin('identifiers as i', (j) => j.onRef('i.tenant_id', '=', 'a.tenant_id').onRef('i.account_uid', '=', 'a.uid'))
          .leftJoin('subscriptions as s', (j) => j.onRef('s.tenant_id', '=', 'a.tenant_id').onRef('s.account_uid', '=', 'a.uid'))
          .select(['i.value as email', 's.subscription_id as subscription'])
          .where('a.tenant_id', '=', f.tenant.id)
          .execute();
        const sentSet = new Set(Array.from({ length: sent }, (_, n) => email(n)));
        for (const row of rows) {
          assert.ok(sentSet.has(row.email), `${row.email} was sent`);
          assert.equal(row.subscription, 'news');
        }
        assert.ok(rows.length >= acknowledged.length);
      } finally {
        await store.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    });

    // Imports into existing accounts run as shared transactions (a savepoint per call, one commit per batch).
    it('keeps every acknowledged merge into an existing account, with its event', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'roster-batch-crash-'));
      let store = await openStore(storeOptions(dir));
      try {
        await store.migrate();
        const f = await gigyaFixture(testCore(store));
        const people = 40;
        for (let p = 0; p < people; p++) await testCore(store).accounts.upsertLite(f.ctx, { email: `merge${p}@example.com` }, { via: 'import' });
        await store.close();
        const { acknowledged } = await importUntilKilled(engine, dir, f, (n) => ({
          email: `merge${n % people}@example.com`,
          data: JSON.stringify({ [`k${n}`]: n }),
        }));

        store = await openStore(storeOptions(dir));
        const core = testCore(store);
        for (let p = 0; p < people; p++) {
          const account = await core.accounts.findByIdentifier(f.ctx, 'email', `merge${p}@example.com`);
          assert.ok(account);
          for (const n of acknowledged.filter((n) => n % people === p)) assert.equal(account.data[`k${n}`], n, `acknowledged merge k${n} is stored`);
          const updates = (await store.outbox.listForAccount(f.tenant.id, account.uid as AccountUid)).filter((e) => e.event.type === 'account.updated');
          // One account.updated per stored merge: nothing committed without its event, no event without its write.
          assert.equal(updates.length, Object.keys(account.data).length);
        }
      } finally {
        await store.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
