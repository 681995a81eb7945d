import { type Kysely, sql } from 'kysely';
import type { AccountRepo, OutboxRecord, OutboxRepo, RequestGuardRepo } from '../core/ports.js';
import type { Account, Subscription } from '../core/types.js';
import { type AccountRow, newAccountColumns, toAccount } from './accounts.js';
import { type BatcherOptions, createBatcher } from './batcher.js';
import type { Database } from './database.js';
import { insertOutboxRecords, outboxRow } from './outbox.js';
import { subscriptionRow } from './subscriptions.js';

/*
 * Group commit: writes of concurrent requests gathered by the batcher and written with the
 * set-based statements of the bulk import, one statement (hence one commit) per batch. Each
 * caller gets the answer its own call would have had; a failed batch is retried call by call.
 * Rows are claimed in key order, so batches of two processes take their locks in one order.
 */

type NewLite = Parameters<AccountRepo['insertIfEmailFree']>;

/** One set-based statement: claim every email; for the claims won, insert accounts, subscriptions and events. */
async function insertLitesIfEmailsFree(db: Kysely<Database>, calls: NewLite[]): Promise<Array<Account | undefined>> {
  const claims = calls.map(([account, email]) => ({ tenant_id: account.tenantId, uid: account.uid, email, created_at: account.now }));
  const accounts = calls.map(([account]) => newAccountColumns(account));
  const subscriptions = calls.flatMap(([account, , subs]: NewLite) =>
    subs.map((s: Subscription) => subscriptionRow(account.tenantId, account.uid, s, account.now)),
  );
  // Events carry the uid of the call they belong to (an event may name no account or another one).
  const events = calls.flatMap(([account, , , records]: NewLite) => records.map((record: OutboxRecord) => ({ owner: account.uid, row: outboxRow(record) })));
  const { rows } = await sql<AccountRow & { claimed_email: string }>`
    WITH input AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(claims)}::json) AS x(tenant_id text, uid text, email text, created_at timestamptz)
    ), claim AS (
      INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at)
      SELECT tenant_id, 'email', email, uid, created_at FROM input ORDER BY tenant_id, email
      ON CONFLICT (tenant_id, kind, value) DO NOTHING
      RETURNING tenant_id, account_uid, value
    ), a AS (
      INSERT INTO accounts (tenant_id, uid, has_lite_account, has_full_account, is_verified, profile, data, password_hash, email_token,
                            language, optin_channel, optin_subchannel, created_site_id, created_at, updated_at)
      SELECT r.tenant_id, r.uid, r.has_lite_account, r.has_full_account, r.is_verified, r.profile, r.data, r.password_hash, r.email_token,
             r.language, r.optin_channel, r.optin_subchannel, r.created_site_id, r.created_at, r.updated_at
        FROM json_populate_recordset(NULL::accounts, ${JSON.stringify(accounts)}::json) WITH ORDINALITY AS r
        JOIN claim ON claim.tenant_id = r.tenant_id AND claim.account_uid = r.uid
       ORDER BY r.ordinality
      RETURNING *
    ), s AS (
      INSERT INTO subscriptions
      SELECT r.* FROM json_populate_recordset(NULL::subscriptions, ${JSON.stringify(subscriptions)}::json) AS r
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = r.account_uid
    ), o AS (
      INSERT INTO outbox_events (tenant_id, id, site_id, account_uid, type, payload, origin, created_at)
      SELECT r.tenant_id, r.id, r.site_id, r.account_uid, r.type, r.payload, r.origin, r.created_at
        FROM json_array_elements(${JSON.stringify(events)}::json) WITH ORDINALITY AS e(item, n)
        CROSS JOIN LATERAL json_populate_record(NULL::outbox_events, e.item->'row') AS r
        JOIN a ON a.tenant_id = r.tenant_id AND a.uid = e.item->>'owner'
       ORDER BY e.n
    )
    SELECT a.*, claim.value AS claimed_email,
           json_build_array(json_build_object('kind', 'email', 'value', claim.value, 'is_primary', true)) AS identifiers
      FROM a JOIN claim ON claim.tenant_id = a.tenant_id AND claim.account_uid = a.uid`.execute(db);
  const created = new Map(rows.map((row) => [`${row.tenant_id}\u0000${row.uid}`, row]));
  return calls.map(([account]) => {
    const row = created.get(`${account.tenantId}\u0000${account.uid}`);
    if (!row) return undefined;
    const { claimed_email: _, ...accountRow } = row;
    return toAccount(accountRow);
  });
}

/** importLiteAccount's new-email write with group commit; two calls for one email never share a batch. */
export function groupCommitLiteInserts(db: Kysely<Database>, options: BatcherOptions<NewLite>): AccountRepo['insertIfEmailFree'] {
  const insert = createBatcher<NewLite, Account | undefined>((calls) => insertLitesIfEmailsFree(db, calls), {
    ...options,
    conflictKey: ([account, email]) => `${account.tenantId}\u0000${email}`,
  });
  return (...call) => insert(call);
}

/** Outbox appends outside a transaction (audit events of reads) written as one multi-row insert per batch. */
export function groupCommitOutboxAppends(db: Kysely<Database>, options: BatcherOptions<OutboxRecord>): OutboxRepo['append'] {
  return createBatcher<OutboxRecord, void>(async (records) => {
    await insertOutboxRecords(db, records);
    return records.map(() => undefined);
  }, options);
}

type NonceClaim = Parameters<RequestGuardRepo['claimNonce']>;
type HitCount = Parameters<RequestGuardRepo['countHit']>;

/**
 * Nonce claims in one statement per batch. A new nonce is inserted; an expired one is taken
 * over by the UPDATE, which sees only rows that existed before the statement and re-checks the
 * expiry under the row lock, so of two racing claims exactly one wins, as with one claim each.
 */
export function batchNonceClaims(db: Kysely<Database>, options: BatcherOptions<NonceClaim>): RequestGuardRepo['claimNonce'] {
  const claim = createBatcher<NonceClaim, boolean>(
    async (calls) => {
      const input = calls.map(([tenantId, scope, nonce, expiresAt, now], n) => ({ n, tenant_id: tenantId, scope, nonce, expires_at: expiresAt, now }));
      const { rows } = await sql<{ n: number }>`
        WITH input AS (
          SELECT * FROM json_to_recordset(${JSON.stringify(input)}::json) AS x(n int, tenant_id text, scope text, nonce text, expires_at timestamptz, now timestamptz)
        ), fresh AS (
          INSERT INTO gigya_nonces (tenant_id, scope, nonce, expires_at)
          SELECT tenant_id, scope, nonce, expires_at FROM input ORDER BY tenant_id, scope, nonce
          ON CONFLICT (tenant_id, scope, nonce) DO NOTHING
          RETURNING tenant_id, scope, nonce
        ), taken AS (
          UPDATE gigya_nonces g SET expires_at = i.expires_at FROM input i
           WHERE g.tenant_id = i.tenant_id AND g.scope = i.scope AND g.nonce = i.nonce AND g.expires_at < i.now
          RETURNING g.tenant_id, g.scope, g.nonce
        ), won AS (SELECT * FROM fresh UNION ALL SELECT * FROM taken)
        SELECT i.n FROM input i JOIN won ON won.tenant_id = i.tenant_id AND won.scope = i.scope AND won.nonce = i.nonce`.execute(db);
      const won = new Set(rows.map((row) => Number(row.n)));
      return calls.map((_, n) => won.has(n));
    },
    { ...options, conflictKey: ([tenantId, scope, nonce]) => `${tenantId}\u0000${scope}\u0000${nonce}` },
  );
  return (...call) => claim(call);
}

/** Rate-limit hits of several buckets added in one upsert per batch; each caller gets its bucket's total. */
export function batchHitCounts(db: Kysely<Database>, options: BatcherOptions<HitCount>): RequestGuardRepo['countHit'] {
  const count = createBatcher<HitCount, number>(
    async (calls) => {
      const rows = await db
        .insertInto('gigya_rate_windows')
        .values(
          calls
            .map(([tenantId, bucket, windowStart, hits]) => ({ tenant_id: tenantId, bucket, window_start: windowStart, hits }))
            .sort((a, b) => (a.tenant_id + a.bucket < b.tenant_id + b.bucket ? -1 : 1)),
        )
        .onConflict((oc) => oc.columns(['tenant_id', 'bucket', 'window_start']).doUpdateSet({ hits: sql<number>`gigya_rate_windows.hits + excluded.hits` }))
        .returning(['tenant_id', 'bucket', 'window_start', 'hits'])
        .execute();
      const key = (tenantId: string, bucket: string, windowStart: Date) => `${tenantId}\u0000${bucket}\u0000${windowStart.getTime()}`;
      const totals = new Map(rows.map((row) => [key(row.tenant_id, row.bucket, row.window_start), Number(row.hits)]));
      return calls.map(([tenantId, bucket, windowStart]) => totals.get(key(tenantId, bucket, windowStart)) as number);
    },
    { ...options, conflictKey: ([tenantId, bucket, windowStart]) => `${tenantId}\u0000${bucket}\u0000${windowStart.getTime()}` },
  );
  return (...call) => count(call);
}
