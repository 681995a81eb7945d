import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Core } from '../../src/core/index.js';
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
if (!natsAnswers) console.log(`# skipping NATS stream tests: no NATS server answers at ${NATS_URL}`);

async function streamExists(nc: NatsConnection, name: string): Promise<boolean> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(name);
    return true;
  } catch {
    return false;
  }
}

describe('NATS JetStream: streams that already exist', { skip: natsAnswers ? false : `no NATS server at ${NATS_URL}` }, () => {
  let store: OpenedStore;
  let core: Core;
  let nc: NatsConnection;
  const created: string[] = [];
  before(async () => {
    store = await openTestStore();
    core = testCore(store);
    nc = await connect({ servers: NATS_URL });
  });
  after(async () => {
    const jsm = await jetstreamManager(nc);
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    await nc.close();
    await store.close();
  });

  it('publishes into an archive stream that already captures roster.<tenant>.> and creates none of its own', async () => {
    const { tenant, ctx } = await newTenant(core, 'archive');
    const archive = `ARCHIVE_h15b_${randomBytes(4).toString('hex')}`;
    const jsm = await jetstreamManager(nc);
    // An operator's archive stream (on a shared server this test cannot take all of roster.>).
    await jsm.streams.add({ name: archive, subjects: [`roster.${tenant.name}.>`] });
    created.push(archive, natsStreamName(tenant.name));

    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], natsUrl: NATS_URL }));
    const { account } = await core.accounts.upsertLite(ctx, { email: 'arch@example.com' }, { via: 'lite' });
    await updateProfile(core, ctx, account.uid, 2);
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 3);
    await worker.stop();

    assert.equal((await jsm.streams.info(archive)).state.messages, 3, 'the archive got every event');
    assert.equal(await streamExists(nc, natsStreamName(tenant.name)), false, 'no stream of our own beside it');
  });

  it('creates a stream named by ROSTER_NATS_STREAM when none captures the subjects', async () => {
    const { tenant, ctx } = await newTenant(core, 'own');
    const template = `H15B_${randomBytes(3).toString('hex')}_{tenant}`;
    const name = natsStreamName(tenant.name, template);
    created.push(name);
    const worker = testWorker(store, core, workerSettings({ tenants: [tenant.id], natsUrl: NATS_URL, natsStream: template }));
    await core.accounts.upsertLite(ctx, { email: 'own@example.com' }, { via: 'lite' });
    await runUntil(worker, async () => (await worker.deliveries.counts(tenant.id)).delivered === 1);
    await worker.stop();

    const info = await (await jetstreamManager(nc)).streams.info(name);
    assert.deepEqual(info.config.subjects, [`roster.${tenant.name}.>`]);
    assert.equal(info.state.messages, 1);
  });
});
