import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { batchSettings } from '../src/config.js';
import type { OutboxRecord } from '../src/core/ports.js';
import type { AccountUid, SiteId, Subscription, TenantId } from '../src/core/types.js';
import { createAccountViewRepo, createCoalescingAccountViewRepo } from '../src/store/account-views.js';
import { createAccountRepo } from '../src/store/accounts.js';
import { batchesInFlight } from '../src/store/batcher.js';
import type { Database } from '../src/store/database.js';
import { groupCommitNewAccounts } from '../src/store/group-commit.js';

/**
 * The same-SQL baseline: the statements Roster sends for getAccountInfo (the account view) and for
 * a new-email importLiteAccount (the claim-and-insert statement with the account, 3 subscriptions
 * and 4 outbox events), batched as Roster batches them (the store's own batchers, the same
 * ROSTER_BATCH* settings; one statement per request with ROSTER_BATCHING=false), behind a bare
 * node:http server with a node-pg pool of Roster's size. No framework, no facade (no auth, no
 * envelope), no core. Roster's throughput against this is its framework and facade overhead.
 */
const tenantId = process.env.BENCH_TENANT_ID as TenantId;
const poolSize = Number(process.env.ROSTER_DB_POOL_SIZE ?? 16);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: poolSize });
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
const batching = { settings: batchSettings(), maxInFlight: batchesInFlight(poolSize) };
const views = batching.settings.enabled ? createCoalescingAccountViewRepo(db, createAccountViewRepo(db), batching) : createAccountViewRepo(db);
const insertNewAccount = batching.settings.enabled ? groupCommitNewAccounts(db, batching) : createAccountRepo(db).insertIfIdentifierFree;

function subscription(subscriptionId: string, isSubscribed: boolean, tags: string[], now: Date): Subscription {
  return {
    subscriptionId,
    channel: 'email',
    isSubscribed,
    tags,
    lastUpdatedStateAt: now,
    doubleOptIn: {
      status: 'NotConfirmed',
      emailSentAt: null,
      confirmedAt: null,
      conditionallyConfirmed: false,
      requestIp: null,
      requestUserAgent: null,
      confirmIp: null,
      confirmUserAgent: null,
    },
  };
}

async function importLite(params: URLSearchParams): Promise<unknown> {
  const now = new Date();
  const uid = randomBytes(16).toString('hex') as AccountUid;
  const email = (params.get('email') ?? '').toLowerCase();
  const subs = [subscription('news', true, ['web'], now), subscription('offers', false, [], now), subscription('newsletter.weekly', true, [], now)];
  const record = (type: string, payload: object): OutboxRecord =>
    ({
      id: randomBytes(16).toString('hex'),
      tenantId,
      siteId: null,
      event: { type, accountUid: uid, via: 'import', payload },
      origin: { facade: 'gigya' },
      createdAt: now,
    }) as unknown as OutboxRecord;
  const events = [record('account.created', { email }), ...subs.map((s) => record('subscription.changed', { subscriptionId: s.subscriptionId }))];
  return insertNewAccount({
    account: {
      tenantId,
      uid,
      hasLiteAccount: true,
      hasFullAccount: false,
      isVerified: false,
      profile: { email, ...JSON.parse(params.get('profile') ?? '{}') },
      data: {},
      passwordHash: null,
      emailToken: randomBytes(24).toString('base64url'),
      language: null,
      optinChannel: null,
      optinSubchannel: null,
      createdSiteId: null as SiteId | null,
      now,
    },
    identifier: { kind: 'email', value: email },
    subscriptions: subs,
    channels: {},
    events,
  });
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const params = new URLSearchParams(Buffer.concat(chunks).toString());
      let result: unknown;
      if (request.url === '/readyz') result = { status: 'ready' };
      else if (request.url === '/accounts.getAccountInfo') result = await views.find(tenantId, { uid: params.get('UID') as AccountUid });
      else if (request.url === '/accounts.importLiteAccount') result = await importLite(params);
      else {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ errorCode: 0, statusCode: 200, result }));
    } catch (error) {
      response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: 500001, message: String(error) }));
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => void db.destroy().then(() => process.exit(0))));
