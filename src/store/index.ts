import { mkdirSync } from 'node:fs';
import { Kysely, type LogEvent, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Repos, Store } from '../core/ports.js';
import { createAccountViewRepo, createCoalescingAccountViewRepo } from './account-views.js';
import { createAccountRepo, createIdentifierRepo } from './accounts.js';
import { createAdminSessionRepo, createAdminUserRepo, createAuditRepo } from './admin.js';
import { type BatchSettings, batchesInFlight, DEFAULT_BATCH_SETTINGS } from './batcher.js';
import { createBulkRepo } from './bulk.js';
import { createConsoleReadRepo } from './console-reads.js';
import { createCredentialStateRepo, createFullAccountBulkRepo, createPersonTokenRepo, createSessionRepo, createSigningKeyRepo } from './credentials.js';
import type { Database } from './database.js';
import { initEmbeddedDataDir } from './embedded-initdb.js';
import { batchHitCounts, batchNonceClaims, groupCommitNewAccounts, groupCommitOutboxAppends } from './group-commit.js';
import { createGroupedTransactions } from './grouped-transactions.js';
import { createImportJobRepo } from './import-jobs.js';
import { createKeyRepo } from './keys.js';
import { createClubClientRepo, createMemberImportRepo, createMemberRepo, createVerificationCodeRepo } from './members.js';
import { migrations } from './migrations/index.js';
import { type MigrationRun, migrateToLatest } from './migrator.js';
import { createBufferedOutbox, createOutboxRepo } from './outbox.js';
import { isLockConflict, translateDriverError, translatingErrors } from './pg-errors.js';
import { PGliteDialect } from './pglite-dialect.js';
import { autovacuumRuns, keepPlannerStatistics, STATISTICS_CHECK_MS } from './planner-statistics.js';
import { createRequestGuardRepo } from './request-guards.js';
import { createSearchCursorRepo } from './search-cursors.js';
import { createChannelRepo, createConsentRepo, createSubscriptionRepo } from './subscriptions.js';
import { createSiteRepo, createTenantRepo } from './tenants.js';
import { createDoiConfirmationRepo, createLiteTokenRepo } from './tokens.js';
import { createWebhookRepo } from './webhooks.js';

export type StoreOptions = (
  | { engine: 'postgres'; databaseUrl: string; poolSize: number }
  /**
   * dataDir undefined: in memory (tests, the emulator); loadDataDir starts from a dumped cluster
   * instead of initdb; initDbArgs are added to initdb's (the emulator's template: small WAL segments).
   */
  | { engine: 'pglite'; dataDir: string | undefined; loadDataDir?: Blob; initDbArgs?: string[] }
) & {
  /** Group commit and read coalescing of concurrent calls (default: on, DEFAULT_BATCH_SETTINGS). */
  batching?: BatchSettings;
  /** Called with the SQL of every statement run, failed ones too (tests check what the store sends). */
  onQuery?: (sql: string) => void;
  /**
   * How often the store analyses tables that grew, where no autovacuum does (the embedded
   * engine, PostgreSQL with autovacuum off); default STATISTICS_CHECK_MS, 0: never.
   */
  statisticsCheckMs?: number;
};

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Shared buffers of the embedded engine (see openStore). */
const EMBEDDED_SHARED_BUFFERS = '16MB';
/** Runs of one transaction that PostgreSQL may abort as a deadlock victim before its caller sees the error. */
const LOCK_CONFLICT_ATTEMPTS = 3;

/** The concrete store: the core's Store port plus what operations need (the Kysely handle, pool use). */
export interface OpenedStore extends Store {
  readonly db: Kysely<Database>;
  poolStats(): PoolStats;
  migrate(): Promise<MigrationRun>;
  /** PGlite only: the whole cluster as a tarball (what `loadDataDir` starts from). */
  dumpDataDir?(): Promise<Blob>;
}

function createRepos(db: Kysely<Database>): Repos {
  return {
    tenants: translatingErrors(createTenantRepo(db)),
    sites: translatingErrors(createSiteRepo(db)),
    keys: translatingErrors(createKeyRepo(db)),
    accounts: translatingErrors(createAccountRepo(db)),
    accountViews: translatingErrors(createAccountViewRepo(db)),
    identifiers: translatingErrors(createIdentifierRepo(db)),
    subscriptions: translatingErrors(createSubscriptionRepo(db)),
    consents: translatingErrors(createConsentRepo(db)),
    channels: translatingErrors(createChannelRepo(db)),
    outbox: translatingErrors(createOutboxRepo(db)),
    requestGuards: translatingErrors(createRequestGuardRepo(db)),
    bulk: translatingErrors(createBulkRepo(db)),
    importJobs: translatingErrors(createImportJobRepo(db)),
    webhooks: translatingErrors(createWebhookRepo(db)),
    members: translatingErrors(createMemberRepo(db)),
    verificationCodes: translatingErrors(createVerificationCodeRepo(db)),
    clubClients: translatingErrors(createClubClientRepo(db)),
    memberImports: translatingErrors(createMemberImportRepo(db)),
    searchCursors: translatingErrors(createSearchCursorRepo(db)),
    liteTokens: translatingErrors(createLiteTokenRepo(db)),
    doiConfirmations: translatingErrors(createDoiConfirmationRepo(db)),
    adminUsers: translatingErrors(createAdminUserRepo(db)),
    adminSessions: translatingErrors(createAdminSessionRepo(db)),
    audit: translatingErrors(createAuditRepo(db)),
    consoleReads: translatingErrors(createConsoleReadRepo(db)),
    credentialStates: translatingErrors(createCredentialStateRepo(db)),
    sessions: translatingErrors(createSessionRepo(db)),
    personTokens: translatingErrors(createPersonTokenRepo(db)),
    signingKeys: translatingErrors(createSigningKeyRepo(db)),
    fullAccountBulk: translatingErrors(createFullAccountBulkRepo(db)),
  };
}

/**
 * The repos of the store itself (outside transactions) with batching: concurrent calls share
 * statements and commits. Inside a transaction calls run one after another and are not batched.
 */
function createBatchedRepos(db: Kysely<Database>, options: { settings: BatchSettings; maxInFlight: number }): Repos {
  const plain = createRepos(db);
  return {
    ...plain,
    accounts: { ...plain.accounts, ...translatingErrors({ insertIfIdentifierFree: groupCommitNewAccounts(db, options) }) },
    accountViews: translatingErrors(createCoalescingAccountViewRepo(db, plain.accountViews, options)),
    outbox: { ...plain.outbox, append: translatingErrors({ append: groupCommitOutboxAppends(db, options) }).append },
    requestGuards: {
      ...plain.requestGuards,
      ...translatingErrors({ claimNonce: batchNonceClaims(db, options), countHit: batchHitCounts(db, options) }),
    },
  };
}

export async function openStore(options: StoreOptions): Promise<OpenedStore> {
  let db: Kysely<Database>;
  let poolStats: () => PoolStats;
  let dumpDataDir: (() => Promise<Blob>) | undefined;
  const { onQuery } = options;
  const log = onQuery && ((event: LogEvent) => onQuery(event.query.sql));
  if (options.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    // An idle connection closed by the server (restart, PgBouncer, pg_terminate_backend) is dropped
    // from the pool and replaced on next use; without a listener node-pg would crash the process.
    pool.on('error', () => {});
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log });
    poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  } else {
    if (options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      await initEmbeddedDataDir(options.dataDir);
    }
    // Loaded only here: the embedded engine's module costs about 40 MB of RSS a PostgreSQL deployment never needs.
    const { PGlite } = await import('@electric-sql/pglite');
    // PostgreSQL's default 128 MB of shared buffers is allocated inside the process's WASM heap at
    // start; 16 MB kept a process reading 100,000 accounts at 272 MB RSS instead of 404 MB (the OS
    // page cache still holds the data files; bench/README.md).
    const settings = { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] };
    const client = options.dataDir
      ? new PGlite(options.dataDir, settings)
      : new PGlite({
          ...settings,
          ...(options.loadDataDir && { loadDataDir: options.loadDataDir }),
          ...(options.initDbArgs && { initDbStartParams: options.initDbArgs }),
        });
    await client.waitReady;
    dumpDataDir = () => client.dumpDataDir('none');
    db = new Kysely<Database>({ dialect: new PGliteDialect(client), log });
    poolStats = () => ({ total: 1, idle: 1, waiting: 0 });
  }

  const batching = options.batching ?? DEFAULT_BATCH_SETTINGS;
  const maxInFlight = batchesInFlight(options.engine === 'postgres' ? options.poolSize : undefined);
  const repos = batching.enabled ? createBatchedRepos(db, { settings: batching, maxInFlight }) : createRepos(db);
  const alone = async <T>(work: (tx: Repos) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction().execute(async (trx) => {
          const outbox = createBufferedOutbox(trx);
          const result = await work({ ...createRepos(trx), outbox: translatingErrors(outbox) });
          await outbox.flush();
          return result;
        });
      } catch (error) {
        // The victim of a deadlock was rolled back whole: it runs again, as a client would retry it.
        if (isLockConflict(error) && attempt < LOCK_CONFLICT_ATTEMPTS) continue;
        throw translateDriverError(error);
      }
    }
  };
  const grouped = batching.enabled ? createGroupedTransactions(db, createRepos, alone, { settings: batching, maxInFlight }) : undefined;
  const statisticsCheckMs = options.statisticsCheckMs ?? STATISTICS_CHECK_MS;
  const statistics =
    statisticsCheckMs > 0
      ? keepPlannerStatistics(db, {
          intervalMs: statisticsCheckMs,
          // PGlite reports autovacuum on but runs no background workers.
          needed: async () => options.engine === 'pglite' || !(await autovacuumRuns(db)),
          onError: (error) => process.emitWarning(`planner statistics not refreshed: ${error instanceof Error ? error.message : String(error)}`),
        })
      : undefined;
  return {
    engine: options.engine,
    db,
    ...repos,
    transaction: (work, options) => (grouped && options?.person !== undefined ? grouped(options.person, work) : alone(work)),
    async ping() {
      await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
    },
    async close() {
      await statistics?.stop();
      await db.destroy();
    },
    poolStats: () => poolStats(),
    ...(dumpDataDir && { dumpDataDir }),
    async migrate() {
      // Areas number their migrations in ranges (gigya 01xx, events 04xx, …) and land in any order:
      // a database may have run 0500 before 0400 arrived, so pending ones are found by name.
      return migrateToLatest(db, migrations);
    },
  };
}
