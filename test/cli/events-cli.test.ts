import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createDeliveryStore } from '../../src/events/deliveries.js';
import { openRuntime } from '../../src/runtime.js';
import { roster } from '../helpers/cli.js';
import { emit, runUntil, testWorker, workerSettings } from '../helpers/events.js';
import { testMasterKey } from '../helpers/store.js';

describe('roster events and mailbox commands', () => {
  it('replays delivered events for one sink and shows the dev mailbox', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-events-cli-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ROSTER_DATA_DIR: dir,
      ROSTER_MASTER_KEY: testMasterKey.toString('base64'),
      ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }),
    };
    try {
      let runtime = await openRuntime(loadConfig(env));
      const tenant = await runtime.core.tenants.create({ name: `cli-ev-${process.pid}-${Date.now().toString(36)}` });
      const site = await runtime.core.sites.create(tenant.id, { name: 'web' });
      const ctx = { tenantId: tenant.id, siteId: site.id, origin: { facade: 'cli' as const } };
      const { account } = await runtime.core.accounts.upsertLite(ctx, { email: 'cli@example.com' }, { via: 'lite' });
      await emit(runtime.store, ctx, {
        type: 'member.welcome_message_requested',
        accountUid: account.uid,
        payload: { memberId: account.numericId, channel: 'email', to: 'cli@example.com', language: 'en', productName: null },
      });
      const worker = testWorker(runtime.store, runtime.core, workerSettings({ tenants: [tenant.id] }));
      await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 1);
      if (runtime.store.engine === 'pglite') await runtime.close();

      const mailbox = await roster(['mailbox', '--tenant', tenant.name, '--json'], env);
      assert.equal(mailbox.code, 0, mailbox.stderr);
      assert.deepEqual(
        JSON.parse(mailbox.stdout).messages.map((m: { recipient: string; subject: string }) => [m.recipient, m.subject]),
        [['cli@example.com', 'Welcome to web']],
      );
      const replay = await roster(['events', 'replay', '--since', '2000-01-01T00:00:00Z', '--tenant', tenant.name, '--sink', 'messaging', '--json'], env);
      assert.equal(replay.code, 0, replay.stderr);
      assert.deepEqual(JSON.parse(replay.stdout), { events: 1, deliveries: 1 });
      const bad = await roster(['events', 'replay', '--since', 'yesterday'], env);
      assert.equal(bad.code, 2);

      if (runtime.store.engine === 'pglite') runtime = await openRuntime(loadConfig(env));
      assert.deepEqual(await createDeliveryStore(runtime.store.db).counts(tenant.id), { pending: 1 });
      await runtime.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
