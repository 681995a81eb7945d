import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { openRuntime } from '../../src/runtime.js';
import { ROSTER_BIN } from '../helpers/cli.js';
import { startReceiver, updateProfile } from '../helpers/events.js';
import { testMasterKey } from '../helpers/store.js';

describe('roster worker metrics', () => {
  it('serves /metrics on ROSTER_WORKER_METRICS_PORT with what the worker delivered, and /healthz', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-worker-metrics-'));
    const receiver = await startReceiver(() => 200);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ROSTER_DATA_DIR: dir,
      ROSTER_MASTER_KEY: testMasterKey.toString('base64'),
      ROSTER_WORKER_POLL_MS: '50',
      ROSTER_WORKER_METRICS_PORT: '0',
      ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }),
    };
    const runtime = await openRuntime(loadConfig(env));
    const tenant = await runtime.core.tenants.create({ name: `wm-${process.pid}-${Date.now().toString(36)}` });
    const site = await runtime.core.sites.create(tenant.id, { name: 'web' });
    const ctx = { tenantId: tenant.id, siteId: site.id, origin: { facade: 'cli' as const } };
    await runtime.core.webhooks.set(tenant.id, { name: 'crm', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 's' });
    const { account } = await runtime.core.accounts.upsertLite(ctx, { email: 'wm@example.com' }, { via: 'lite' });
    await updateProfile(runtime.core, ctx, account.uid, 2);
    await runtime.close();

    const child = spawn(process.execPath, [ROSTER_BIN, 'worker'], {
      env: { ...env, ROSTER_WORKER_TENANTS: tenant.id },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 60_000;
      let url: string | undefined;
      while (!url) {
        url = /"metrics":"(http:\/\/127\.0\.0\.1:\d+)\/metrics"/.exec(output)?.[1];
        if (Date.now() > deadline) throw new Error(`worker did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      let text = '';
      while (!/roster_event_deliveries_total\{sink="webhook",outcome="delivered"\} 3/.test(text)) {
        if (Date.now() > deadline) throw new Error(`no deliveries in the metrics:\n${text}`);
        await new Promise((r) => setTimeout(r, 100));
        text = await (await fetch(`${url}/metrics`)).text();
      }
      assert.equal(receiver.delivered().length, 3);
      // The backlog gauge counts every tenant's queue (no tenant label by default); on PostgreSQL other test files share it.
      assert.match(text, /roster_events_backlog\{sink="fanout"\} \d+/);
      assert.match(text, /roster_event_delivery_attempt_seconds_count\{sink="webhook"\} \d+/);
      assert.match(text, /process_resident_memory_bytes \d+/);
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await fetch(`${url}/admin/events/log`)).status, 404, 'only metrics and health are served');
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
