import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import type { Core } from '../../src/core/index.js';
import { createWorker } from '../../src/events/worker.js';
import type { OpenedStore } from '../../src/store/index.js';
import { testConfig } from '../helpers/app.js';
import { emit, runUntil, startReceiver, updateProfile, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore, testSecretBox } from '../helpers/store.js';

interface LogLine {
  level: string;
  fields: Record<string, unknown>;
  msg: string;
}

/** A logger that keeps its lines, as pino would write them (level, fields, message). */
function capturingLog() {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      if (typeof fields === 'string') lines.push({ level, fields: {}, msg: fields });
      else lines.push({ level, fields: fields as Record<string, unknown>, msg: msg ?? '' });
    };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** One metric sample from a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('event pipeline: sink failure logging', () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
  });
  after(async () => {
    await store.close();
  });

  it('logs a webhook receiver going down once at warn, not per attempt, and its recovery once', async () => {
    const { tenant, ctx } = await newTenant(core, 'down');
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/hook`;
    const { webhook: hook } = await core.webhooks.set(tenant.id, { name: 'crm', url, eventTypes: ['*'], format: 'roster', secret: 'whsec' });
    const { lines, log } = capturingLog();
    const worker = createWorker({ store, core, secretBox: testSecretBox, config: workerSettings({ tenants: [tenant.id], maxAttempts: 100 }), log });
    const { account } = await core.accounts.upsertLite(ctx, { email: 'down@example.com' }, { via: 'lite' });
    await updateProfile(core, ctx, account.uid, 2);

    // Down: connection refused, attempt after attempt.
    // One attempt posts the whole batch and logs a row per event: count attempts by their time.
    const failedAttempts = async () =>
      new Set((await worker.deliveries.log(tenant.id, {})).filter((r) => r.outcome === 'retry').map((r) => r.at.getTime())).size;
    await runUntil(worker, async () => (await failedAttempts()) >= 4);
    const sinkName = `webhook:${hook.id}`;
    const warnings = () => lines.filter((l) => l.level === 'warn');
    assert.equal(warnings().length, 1, 'one line for the first failure, none per attempt');
    const first = warnings()[0] as LogLine;
    assert.equal(first.msg, 'event sink failing');
    assert.equal(first.fields.sink, sinkName);
    assert.match(String(first.fields.error), /ECONNREFUSED/);
    assert.deepEqual(worker.failingSinks(), [sinkName]);

    // Up again on the same port: the backlog drains and one line says so.
    const received: string[] = [];
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 3);
      const failed = await failedAttempts();
      assert.equal(warnings().length, 2);
      const recovered = warnings()[1] as LogLine;
      assert.equal(recovered.msg, 'event sink recovered');
      assert.equal(recovered.fields.sink, sinkName);
      assert.equal(recovered.fields.failedAttempts, failed);
      assert.deepEqual(worker.failingSinks(), []);
      assert.ok(received.length >= 1);
      // No personal data in what was logged.
      assert.doesNotMatch(JSON.stringify(lines), /down@example\.com/);
    } finally {
      await worker.stop();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('logs NATS that does not answer once at warn, however many attempts fail', async () => {
    const { tenant, ctx } = await newTenant(core, 'natsdown');
    const port = await closedPort();
    const { lines, log } = capturingLog();
    const worker = createWorker({
      store,
      core,
      secretBox: testSecretBox,
      config: workerSettings({ tenants: [tenant.id], maxAttempts: 100, natsUrl: `nats://127.0.0.1:${port}`, deliveryTimeoutMs: 500 }),
      log,
    });
    await core.accounts.upsertLite(ctx, { email: 'nd@example.com' }, { via: 'lite' });
    try {
      await runUntil(worker, async () => (await worker.deliveries.log(tenant.id, { sink: 'nats' })).length >= 3);
      const warnings = lines.filter((l) => l.level === 'warn');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.msg, 'event sink failing');
      assert.equal(warnings[0]?.fields.sink, 'nats');
      assert.match(String(warnings[0]?.fields.error), /CONNECTION_REFUSED|ECONNREFUSED|refused/i);
    } finally {
      await worker.stop();
    }
  });
});

describe('event pipeline: /metrics', () => {
  let store: OpenedStore;
  let core: Core;
  let app: FastifyInstance;
  let base: string;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
    app = await buildApp({ config: testConfig(), core, store });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await store.close();
  });
  const scrape = async () => {
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    return response.text();
  };

  it('shows the backlog and its age, then deliveries, attempt latency, dead letters and messages after real deliveries', async () => {
    const { tenant, ctx } = await newTenant(core, 'metrics');
    let answer = 200;
    const receiver = await startReceiver(() => answer);
    await core.webhooks.set(tenant.id, { name: 'crm', url: receiver.url, eventTypes: ['*'], format: 'roster', secret: 'whsec' });
    const worker = createWorker({
      store,
      core,
      secretBox: testSecretBox,
      config: workerSettings({ tenants: [tenant.id], maxAttempts: 2 }),
      log: { info() {}, warn() {}, error() {}, debug() {} },
      registry: app.metricsRegistry,
    });
    const before = await scrape();
    const deliveredBefore = sample(before, 'roster_event_deliveries_total', { sink: 'webhook', outcome: 'delivered' }) ?? 0;
    const sentBefore = sample(before, 'roster_messages_total', { channel: 'email', outcome: 'sent' }) ?? 0;
    const deadBefore = sample(before, 'roster_event_dead_letters_total', { sink: 'webhook' }) ?? 0;

    const { account } = await core.accounts.upsertLite(ctx, { email: 'm@example.com' }, { via: 'lite' });
    await updateProfile(core, ctx, account.uid, 3);
    await emit(store, ctx, {
      type: 'member.welcome_message_requested',
      accountUid: account.uid,
      payload: { memberId: 1, channel: 'email', to: 'm@example.com', language: 'en', productName: 'web' },
    } as never);
    await new Promise((r) => setTimeout(r, 1100));
    const queued = await scrape();
    assert.ok((sample(queued, 'roster_events_backlog', { sink: 'fanout' }) ?? 0) >= 5, 'five events wait to be routed');
    assert.ok((sample(queued, 'roster_events_oldest_undelivered_seconds', { sink: 'fanout' }) ?? 0) >= 1);

    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 6);
    const done = await scrape();
    assert.equal((sample(done, 'roster_event_deliveries_total', { sink: 'webhook', outcome: 'delivered' }) ?? 0) - deliveredBefore, 5);
    assert.equal((sample(done, 'roster_messages_total', { channel: 'email', outcome: 'sent' }) ?? 0) - sentBefore, 1);
    assert.ok((sample(done, 'roster_event_delivery_attempt_seconds_count', { sink: 'webhook' }) ?? 0) >= 1);
    assert.ok((sample(done, 'roster_event_delivery_attempt_seconds_count', { sink: 'messaging' }) ?? 0) >= 1);
    // Bounded labels: sink kinds, never webhook ids or tenant ids.
    assert.doesNotMatch(done, new RegExp(tenant.id));
    assert.doesNotMatch(done, /sink="webhook:/);

    // The receiver fails for good: two attempts, then a dead letter.
    answer = 500;
    await updateProfile(core, ctx, account.uid, 1);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).dead === 1);
    const dead = await scrape();
    assert.equal((sample(dead, 'roster_event_dead_letters_total', { sink: 'webhook' }) ?? 0) - deadBefore, 1);
    assert.ok((sample(dead, 'roster_events_dead_letters', { sink: 'webhook' }) ?? 0) >= 1);
    assert.ok((sample(dead, 'roster_event_deliveries_total', { sink: 'webhook', outcome: 'retry' }) ?? 0) >= 1);
    await worker.stop();
    await receiver.close();
  });
});
