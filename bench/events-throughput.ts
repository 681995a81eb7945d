/**
 * Event delivery throughput: N accounts × M updates to one local webhook, delivered by W workers
 * (each with its own pool, as separate processes would have). Not part of `npm test`.
 *   DATABASE_URL=postgres://… node --import tsx bench/events-throughput.ts [accounts] [updates] [workers]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testWorker, updateProfile, workerSettings } from '../test/helpers/events.js';
import { newTenant, openTestStore, testCore } from '../test/helpers/store.js';

const [accounts = 200, updates = 4, workers = 2] = process.argv.slice(2).map(Number);
const store = await openTestStore();
const core = testCore(store);
const { tenant, ctx } = await newTenant(core, 'bench');
let received = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received += JSON.parse(body).events.length;
    res.end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
await core.webhooks.set(tenant.id, { name: 'bench', url, eventTypes: ['*'], format: 'roster', secret: 's' });

for (let a = 0; a < accounts; a++) {
  const { account } = await core.accounts.upsertLite(ctx, { email: `b${a}@example.com` }, { via: 'lite' });
  await updateProfile(core, ctx, account.uid, updates);
}
const total = accounts * (1 + updates);
const stores = [store, ...(await Promise.all(Array.from({ length: workers - 1 }, () => openTestStore())))];
const started = performance.now();
const running = stores.map((s) => testWorker(s, testCore(s), workerSettings({ tenants: [tenant.id], batchSize: 50 })));
for (const w of running) w.start();
while (received < total) await new Promise((r) => setTimeout(r, 10));
const seconds = (performance.now() - started) / 1000;
for (const w of running) await w.stop();
console.log(
  JSON.stringify({
    engine: store.engine,
    events: total,
    workers: stores.length,
    seconds: +seconds.toFixed(2),
    eventsPerSecond: Math.round(total / seconds),
    received,
  }),
);
server.close();
for (const s of stores) await s.close();
