import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Core } from '../../src/core/index.js';
import type { AccountUid } from '../../src/core/types.js';
import { natsStreamName } from '../../src/events/sinks/nats.js';
import type { OpenedStore } from '../../src/store/index.js';
import { runUntil, testWorker, updateProfile, workerSettings } from '../helpers/events.js';
import { newTenant, openTestStore, testCore } from '../helpers/store.js';

const NATS_URL = 'nats://127.0.0.1:4222';

const natsAnswers = await new Promise<boolean>((resolve) => {
  const socket = tcpConnect({ host: '127.0.0.1', port: 4222 });
  socket.setTimeout(1000);
  socket.once('data', (chunk) => {
    socket.destroy();
    resolve(chunk.toString().startsWith('INFO'));
  });
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => {
    socket.destroy();
    resolve(false);
  });
});
if (!natsAnswers) console.log(`# skipping NATS JetStream tests: no NATS server answers at ${NATS_URL}`);

describe('NATS JetStream sink', { skip: natsAnswers ? false : `no NATS server at ${NATS_URL}` }, () => {
  let store: OpenedStore;
  let core: Core;
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
  });
  after(async () => {
    await store.close();
  });

  it('publishes to roster.<tenant>.<type> with Nats-Msg-Id = event id, so a redelivery is deduplicated', async () => {
    const { tenant, ctx } = await newTenant(core, 'nats');
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], natsUrl: NATS_URL }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'n@example.com' }, { via: 'lite' });
    await updateProfile(core, ctx, account.uid, 2);
    const written = await store.outbox.listForAccount(tenant.id, account.uid as AccountUid);
    const since = new Date(Date.now() - 60_000);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 3);
    // Deliver everything again: JetStream must drop the copies.
    const replay = await worker.deliveries.replay({ tenantId: tenant.id, since, sink: 'nats' }, (e) => worker.router.sinksFor(e), new Date());
    assert.equal(replay.deliveries, 3);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 3 && !(await worker.deliveries.counts(tenant.id)).pending);
    await worker.stop();

    const nc = await connect({ servers: NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = natsStreamName(tenant.name);
      const info = await jsm.streams.info(stream);
      assert.equal(info.state.messages, 3, 'three events, no duplicates');
      const js = jetstream(nc);
      const consumer = await js.consumers.get(stream);
      const messages = await consumer.fetch({ max_messages: 3, expires: 2000 });
      const got: Array<{ subject: string; msgId: string | undefined; id: string }> = [];
      for await (const m of messages) {
        got.push({ subject: m.subject, msgId: m.headers?.get('Nats-Msg-Id'), id: m.json<{ id: string }>().id });
        m.ack();
        if (got.length === 3) break;
      }
      assert.deepEqual(
        got,
        written.map((r) => ({ subject: `roster.${tenant.name}.${r.event.type}`, msgId: r.id, id: r.id })),
      );
      await jsm.streams.delete(stream);
    } finally {
      await nc.close();
    }
  });
});
