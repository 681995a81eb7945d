import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createDeliveryStore } from '../../src/events/deliveries.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { ROSTER_BIN } from '../helpers/cli.js';
import { startReceiver, updateProfile } from '../helpers/events.js';
import { testMasterKey } from '../helpers/store.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [ROSTER_BIN, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c) => {
    output += c;
  });
  child.stderr?.on('data', (c) => {
    output += c;
  });
  return { child, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))), output: () => output };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('roster worker killed with SIGKILL in the middle of a batch', () => {
  it('loses nothing: the restarted worker delivers every event, in order per account', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-worker-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ROSTER_DATA_DIR: dir,
      ROSTER_MASTER_KEY: testMasterKey.toString('base64'),
      ROSTER_LOG_LEVEL: 'info',
      ROSTER_WORKER_POLL_MS: '20',
      ROSTER_EVENTS_BATCH_SIZE: '4',
      ROSTER_EVENTS_LEASE_MS: '1500',
      ROSTER_EVENTS_BACKOFF_MS: '50',
      ROSTER_EVENTS_BACKOFF_MAX_MS: '200',
      ...(process.env.DATABASE_URL && { DATABASE_URL: process.env.DATABASE_URL }),
    };
    let stall = true;
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inFlight = 0;
    /** The events of the request held open: their worker dies before it hears the answer. */
    let stalledIds: string[] = [];
    // The receiver holds the third request open: the worker is killed while that batch is in flight.
    const receiver = await startReceiver(async (body) => {
      inFlight++;
      if (stall && inFlight === 3) {
        stalledIds = (JSON.parse(body).events as Array<{ id: string }>).map((e) => e.id);
        await stalled;
      } else await sleep(30);
      return 200;
    });
    let runtime: Runtime | undefined = await openRuntime(loadConfig(env));
    const workers: ChildProcess[] = [];
    try {
      const tenant = await runtime.core.tenants.create({ name: `crash-${process.pid}-${Date.now().toString(36)}` });
      const site = await runtime.core.sites.create(tenant.id, { name: 'web' });
      const ctx = { tenantId: tenant.id, siteId: site.id, origin: { facade: 'cli' as const } };
      await runtime.core.webhooks.set(tenant.id, { name: 'sink', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 'crash-secret' });
      const uids: string[] = [];
      for (let a = 0; a < 5; a++) {
        const { account } = await runtime.core.accounts.upsertLite(ctx, { email: `crash${a}@example.com` }, { via: 'lite' });
        uids.push(account.uid);
        await updateProfile(runtime.core, ctx, account.uid, 3);
      }
      const written = (await Promise.all(uids.map((uid) => runtime!.store.outbox.listForAccount(tenant.id, uid as never)))).flat();
      assert.equal(written.length, 20);
      // The embedded store belongs to one process: hand it over to the worker. (Starting a worker on
      // PGlite takes seconds, more on a loaded machine: hence the generous waits.)
      if (runtime.store.engine === 'pglite') {
        await runtime.close();
        runtime = undefined;
      }
      const workerEnv = { ...env, ROSTER_WORKER_TENANTS: tenant.id };

      const first = startWorker(workerEnv);
      workers.push(first.child);
      await waitFor(() => inFlight >= 3, 120_000, `the third request (worker output: ${first.output()})`);
      first.child.kill('SIGKILL');
      assert.equal(await first.exited, null);
      stall = false;
      release();
      const deliveredBeforeCrash = new Set(receiver.delivered().map((e) => e.id)).size;
      assert.ok(deliveredBeforeCrash < written.length, 'killed mid-stream');

      const second = startWorker(workerEnv);
      workers.push(second.child);
      // The held request is answered (and counted by the receiver) only after the kill: its events
      // are done once the new worker has sent them again, after the dead worker's lease ran out.
      const count = (id: string) => receiver.delivered().filter((e) => e.id === id).length;
      await waitFor(
        () => new Set(receiver.delivered().map((e) => e.id)).size === written.length && stalledIds.every((id) => count(id) >= 2),
        120_000,
        `all events (output: ${second.output()})`,
      );
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);

      for (const uid of uids) {
        const expected = written.filter((r) => r.event.accountUid === uid).map((r) => r.id);
        const seen = [
          ...new Set(
            receiver
              .delivered()
              .filter((e) => e.accountUid === uid)
              .map((e) => e.id),
          ),
        ];
        assert.deepEqual(seen, expected, 'per-account order survives the crash');
      }
      runtime ??= await openRuntime(loadConfig(env));
      const counts = await createDeliveryStore(runtime.store.db).counts(tenant.id);
      assert.deepEqual(counts, { delivered: written.length });
    } finally {
      release();
      for (const w of workers) w.kill('SIGKILL');
      await runtime?.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
