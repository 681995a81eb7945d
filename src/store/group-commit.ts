import { type Kysely, sql } from 'kysely';
import type { AccountRepo, NewAccountWrite, NewAccountWritten, OutboxRecord, OutboxRepo, RequestGuardRepo } from '../core/ports.js';
import { type BatcherOptions, createBatcher } from './batcher.js';
import type { Database } from './database.js';
import { insertNewAccounts } from './new-accounts.js';
import { insertOutboxRecords } from './outbox.js';

/*
 * Group commit: writes of concurrent requests gathered by the batcher and written with the
 * set-based statements of the bulk import, one statement (hence one commit) per batch. Each
 * caller gets the answer its own call would have had; a failed batch is retried call by call.
 * Rows are claimed in key order, so batches of two processes take their locks in one order.
 */

/** New accounts (importLiteAccount's new email, Boostcom's create) with group commit; two writes for one identifier never share a batch. */
export function groupCommitNewAccounts(db: Kysely<Database>, options: BatcherOptions<NewAccountWrite>): AccountRepo['insertIfIdentifierFree'] {
  return createBatcher<NewAccountWrite, NewAccountWritten | undefined>((writes) => insertNewAccounts(db, writes), {
    ...options,
    conflictKey: ({ account, identifier }) => `${account.tenantId}\u0000${identifier.kind}\u0000${identifier.value}`,
  });
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
