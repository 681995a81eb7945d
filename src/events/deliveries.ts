import { type Insertable, type Kysely, sql } from 'kysely';
import type { DomainEventType } from '../core/events.js';
import type { JsonObject, Origin, SiteId, TenantId } from '../core/types.js';
import type { Database, EventDeliveryLogTable } from '../store/database.js';
import type { OutboxEvent } from './event.js';

/**
 * The delivery state machine, in SQL. A delivery row is (tenant, sink, event): pending until
 * delivered, dropped (the receiver refused it for good) or dead (too many attempts: a dead letter).
 * A claim is a lease (lease_until, lease_owner) taken in a short transaction, so no row lock is
 * held while a webhook answers; a worker that dies simply lets its leases run out.
 */

const FANOUT_LOCK = 740_001; // advisory lock key: one fan-out at a time keeps delivery rows in seq order
const CLAIM_LOCK_BASE = 740_002;

export interface ClaimedDelivery {
  event: OutboxEvent;
  attempts: number;
}

export type DeliveryOutcome =
  | { kind: 'delivered'; statusCode?: number }
  /** Failed; retry later (or dead-letter once attempts run out). */
  | { kind: 'retry'; error: string; statusCode?: number }
  /** The receiver refused it for good (Boostcom 4xx): not retried. */
  | { kind: 'drop'; error: string; statusCode?: number }
  /** Not attempted (an earlier event of the batch failed): lease released, no attempt counted. */
  | { kind: 'skip' };

interface EventRow {
  seq: string | number;
  id: string;
  tenant_id: string;
  site_id: string | null;
  account_uid: string | null;
  type: string;
  payload: unknown;
  origin: unknown;
  created_at: Date | string;
}

function toEvent(row: EventRow): OutboxEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    tenantId: row.tenant_id as TenantId,
    siteId: row.site_id as SiteId | null,
    accountUid: row.account_uid,
    type: row.type as DomainEventType,
    data: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as JsonObject,
    origin: (typeof row.origin === 'string' ? JSON.parse(row.origin) : row.origin) as Origin,
    createdAt: new Date(row.created_at),
  };
}

/** A stable 31-bit key for the per-sink claim lock. */
function sinkLockKey(sink: string): number {
  let hash = 0;
  for (const char of sink) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) | 0;
  return CLAIM_LOCK_BASE + (Math.abs(hash) % 1_000_000);
}

/** Restricts a query to some tenants (a worker dedicated to them); no restriction when absent. */
function tenantFilter(alias: 'q' | 'd', tenants: readonly string[] | undefined, keyword: 'WHERE' | 'AND') {
  if (!tenants || tenants.length === 0) return sql``;
  return sql`${sql.raw(keyword)} ${sql.ref(`${alias}.tenant_id`)} IN (${sql.join(tenants)})`;
}

export function createDeliveryStore(db: Kysely<Database>) {
  return {
    /**
     * Turns queued outbox events into delivery rows, one per sink that wants them, in seq order.
     * Only one process fans out at a time (others skip), so rows appear in the order of the outbox.
     * Returns how many events were fanned out (0 when another process holds the fan-out).
     */
    async fanOut(sinksFor: (events: OutboxEvent[]) => Promise<Map<number, string[]>>, limit: number, now: Date, tenants?: readonly string[]): Promise<number> {
      // Sinks are chosen before the transaction: on PGlite (one connection) a lookup outside the
      // transaction would wait for it. Rows a concurrent fan-out took meanwhile are skipped below.
      // Two index lookups (the queue's head by seq, then those events by seq), not a join: with
      // statistics gathered while the tables were small (PGlite never re-analyses, nor does
      // PostgreSQL with autovacuum off) the planner hash-joined the whole backlog on every pass.
      const head = await sql<{ seq: string | number }>`
        SELECT q.seq FROM outbox_fanout_queue q ${tenantFilter('q', tenants, 'WHERE')} ORDER BY q.seq LIMIT ${limit}`.execute(db);
      if (head.rows.length === 0) return 0;
      const candidates = await sql<EventRow>`
        SELECT e.seq, e.id, e.tenant_id, e.site_id, e.account_uid, e.type, e.payload, e.origin, e.created_at
        FROM outbox_events e WHERE e.seq = ANY(${head.rows.map((r) => Number(r.seq))}::bigint[])
        ORDER BY e.seq`.execute(db);
      const events = candidates.rows.map(toEvent);
      const sinks = await sinksFor(events);
      return db.transaction().execute(async (trx) => {
        const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${FANOUT_LOCK}) AS locked`.execute(trx);
        if (!lock.rows[0]?.locked) return 0;
        // Deleting the queue rows is the claim: rows another process already fanned out are gone.
        // seq is unique across tenants, so one array parameter names them (a 500-arm OR took long to plan).
        const taken = (
          await sql<{ tenant_id: string; seq: string | number }>`
            DELETE FROM outbox_fanout_queue WHERE seq = ANY(${events.map((e) => e.seq)}::bigint[]) RETURNING tenant_id, seq`.execute(trx)
        ).rows;
        const takenKeys = new Set(taken.map((t) => `${t.tenant_id}:${Number(t.seq)}`));
        const values = events
          .filter((event) => takenKeys.has(`${event.tenantId}:${event.seq}`))
          .flatMap((event) =>
            (sinks.get(event.seq) ?? []).map((sink) => ({
              tenant_id: event.tenantId,
              sink,
              event_seq: event.seq,
              event_id: event.id,
              account_uid: event.accountUid ?? '',
              status: 'pending',
              next_attempt_at: now,
              created_at: now,
            })),
          );
        for (let i = 0; i < values.length; i += 1000) {
          await trx
            .insertInto('event_deliveries')
            .values(values.slice(i, i + 1000))
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
        return taken.length;
      });
    },

    /**
     * Sinks with pending deliveries (the claim then takes what is due). A skip scan over the
     * pending index, one probe per sink: a DISTINCT over every pending row cost as much as the
     * backlog is long, on every pass of the worker.
     */
    async dueSinks(_now: Date, tenants?: readonly string[]): Promise<string[]> {
      const rows = await sql<{ sink: string }>`
        WITH RECURSIVE sinks AS (
          (SELECT d.sink FROM event_deliveries d WHERE d.status = 'pending' ${tenantFilter('d', tenants, 'AND')} ORDER BY d.sink LIMIT 1)
          UNION ALL
          SELECT (SELECT d.sink FROM event_deliveries d WHERE d.status = 'pending' AND d.sink > s.sink ${tenantFilter('d', tenants, 'AND')}
                  ORDER BY d.sink LIMIT 1)
          FROM sinks s WHERE s.sink IS NOT NULL)
        SELECT sink FROM sinks WHERE sink IS NOT NULL`.execute(db);
      return rows.rows.map((r) => r.sink);
    },

    /**
     * Claims up to `limit` due deliveries of one sink, oldest first, keeping per-account order: a
     * delivery is claimable only when no earlier delivery of the same account on this sink is still
     * pending and either waiting for its retry or leased by a worker. Claims of one sink are
     * serialised by an advisory lock (they take milliseconds); FOR UPDATE SKIP LOCKED steps over
     * rows a worker is finishing right now. Several processes thus share the work, never one event.
     */
    async claim(sink: string, worker: string, now: Date, leaseMs: number, limit: number, tenants?: readonly string[]): Promise<ClaimedDelivery[]> {
      return db.transaction().execute(async (trx) => {
        const lock = await sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${sinkLockKey(sink)}) AS locked`.execute(trx);
        if (!lock.rows[0]?.locked) return [];
        const leaseUntil = new Date(now.getTime() + leaseMs);
        const claimed = await sql<{ tenant_id: string; event_seq: string | number; attempts: number }>`
          WITH candidates AS (
            SELECT d.tenant_id, d.sink, d.event_seq FROM event_deliveries d
            WHERE d.sink = ${sink} AND d.status = 'pending' AND d.next_attempt_at <= ${now}
              AND (d.lease_until IS NULL OR d.lease_until < ${now})
              ${tenantFilter('d', tenants, 'AND')}
              AND NOT EXISTS (
                SELECT 1 FROM event_deliveries p
                WHERE p.tenant_id = d.tenant_id AND p.sink = d.sink AND p.account_uid = d.account_uid AND d.account_uid <> ''
                  AND p.status = 'pending' AND p.event_seq < d.event_seq
                  AND (p.next_attempt_at > ${now} OR p.lease_until >= ${now})
                -- OFFSET 0 keeps this a per-candidate probe: planned as an anti-join on stale
                -- statistics it rescanned every pending row of the sink for each candidate.
                OFFSET 0)
            ORDER BY d.event_seq
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          UPDATE event_deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${worker}
          FROM candidates c WHERE d.tenant_id = c.tenant_id AND d.sink = c.sink AND d.event_seq = c.event_seq
          RETURNING d.tenant_id, d.event_seq, d.attempts`.execute(trx);
        if (claimed.rows.length === 0) return [];
        const attempts = new Map(claimed.rows.map((r) => [`${r.tenant_id}:${Number(r.event_seq)}`, r.attempts]));
        const events = await trx
          .selectFrom('outbox_events')
          .select(['seq', 'id', 'tenant_id', 'site_id', 'account_uid', 'type', 'payload', 'origin', 'created_at'])
          .where('tenant_id', 'in', [...new Set(claimed.rows.map((r) => r.tenant_id))])
          .where(sql<boolean>`seq = ANY(${claimed.rows.map((r) => Number(r.event_seq))}::bigint[])`)
          .execute();
        return events
          .map((row) => toEvent(row as EventRow))
          .sort((a, b) => a.seq - b.seq)
          .map((event) => ({ event, attempts: attempts.get(`${event.tenantId}:${event.seq}`) ?? 0 }));
      });
    },

    /**
     * Records the outcomes of one delivery attempt (and its log lines). Rows whose lease another
     * worker took over are left alone. The common case, all delivered, is one UPDATE per tenant.
     */
    async settle(
      sink: string,
      worker: string,
      results: Array<{ claim: ClaimedDelivery; outcome: DeliveryOutcome }>,
      at: Date,
      durationMs: number,
      retry: { maxAttempts: number; delayMs: (attempt: number) => number },
    ): Promise<Array<'delivered' | 'retry' | 'dead' | 'dropped' | 'released'>> {
      const states: Array<'delivered' | 'retry' | 'dead' | 'dropped' | 'released'> = [];
      const log: Array<Insertable<EventDeliveryLogTable>> = [];
      const deliveredByTenant = new Map<string, number[]>();
      for (const { claim, outcome } of results) {
        const { event } = claim;
        const row = db
          .updateTable('event_deliveries')
          .where('tenant_id', '=', event.tenantId)
          .where('sink', '=', sink)
          .where('event_seq', '=', event.seq)
          .where('status', '=', 'pending')
          .where('lease_owner', '=', worker);
        if (outcome.kind === 'skip') {
          await row.set({ lease_until: null, lease_owner: null }).execute();
          states.push('released');
          continue;
        }
        const attempt = claim.attempts + 1;
        let state: 'delivered' | 'retry' | 'dead' | 'dropped';
        if (outcome.kind === 'delivered') {
          state = 'delivered';
          deliveredByTenant.set(event.tenantId, [...(deliveredByTenant.get(event.tenantId) ?? []), event.seq]);
        } else {
          const error = outcome.error.slice(0, 1000);
          if (outcome.kind === 'drop') state = 'dropped';
          else state = attempt >= retry.maxAttempts ? 'dead' : 'retry';
          if (state === 'retry') {
            await row
              .set({
                attempts: attempt,
                lease_until: null,
                lease_owner: null,
                next_attempt_at: new Date(at.getTime() + retry.delayMs(attempt)),
                last_error: error,
              })
              .execute();
          } else {
            await row.set({ status: state, attempts: attempt, lease_until: null, finished_at: at, last_error: error }).execute();
          }
        }
        states.push(state);
        log.push({
          tenant_id: event.tenantId,
          sink,
          event_id: event.id,
          attempt,
          outcome: state,
          status_code: 'statusCode' in outcome ? (outcome.statusCode ?? null) : null,
          error: outcome.kind === 'delivered' ? null : outcome.error.slice(0, 1000),
          duration_ms: Math.round(durationMs),
          worker,
          at,
        });
      }
      for (const [tenantId, seqs] of deliveredByTenant) {
        await db
          .updateTable('event_deliveries')
          .set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), lease_until: null, finished_at: at, last_error: null }))
          .where('tenant_id', '=', tenantId)
          .where('sink', '=', sink)
          .where('event_seq', 'in', seqs)
          .where('status', '=', 'pending')
          .where('lease_owner', '=', worker)
          .execute();
      }
      if (log.length > 0) await db.insertInto('event_delivery_log').values(log).execute();
      return states;
    },

    /**
     * Makes matching events pending again for their sinks (delivered, dropped and dead ones
     * included), so the worker sends them once more, in order. `sinks` lists the sinks that
     * currently want each event (replay reaches webhooks created after the event too).
     */
    async replay(
      filter: { tenantId?: TenantId; since: Date; type?: string; sink?: string },
      sinksFor: (events: OutboxEvent[]) => Promise<Map<number, string[]>>,
      now: Date,
    ): Promise<{ events: number; deliveries: number }> {
      let events = 0;
      let deliveries = 0;
      let after = 0;
      for (;;) {
        let query = db
          .selectFrom('outbox_events')
          .select(['seq', 'id', 'tenant_id', 'site_id', 'account_uid', 'type', 'payload', 'origin', 'created_at'])
          .where('created_at', '>=', filter.since)
          .where('seq', '>', after)
          .orderBy('seq')
          .limit(500);
        if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
        if (filter.type) query = query.where('type', '=', filter.type);
        const rows = (await query.execute()).map((row) => toEvent(row as EventRow));
        if (rows.length === 0) break;
        after = rows[rows.length - 1]?.seq ?? after;
        const wanted = await sinksFor(rows);
        for (const event of rows) {
          const sinks = (wanted.get(event.seq) ?? []).filter((s) => !filter.sink || s === filter.sink);
          if (sinks.length === 0) continue;
          events++;
          for (const sink of sinks) {
            await db
              .insertInto('event_deliveries')
              .values({
                tenant_id: event.tenantId,
                sink,
                event_seq: event.seq,
                event_id: event.id,
                account_uid: event.accountUid ?? '',
                status: 'pending',
                next_attempt_at: now,
                created_at: now,
              })
              .onConflict((oc) =>
                oc.columns(['tenant_id', 'sink', 'event_seq']).doUpdateSet({
                  status: 'pending',
                  attempts: 0,
                  next_attempt_at: now,
                  lease_until: null,
                  lease_owner: null,
                  finished_at: null,
                  last_error: null,
                }),
              )
              .execute();
            deliveries++;
          }
        }
      }
      return { events, deliveries };
    },

    async deadLetters(tenantId: TenantId, limit = 100) {
      return db
        .selectFrom('event_deliveries')
        .select(['sink', 'event_id', 'account_uid', 'attempts', 'last_error', 'finished_at'])
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'dead')
        .orderBy('finished_at', 'desc')
        .limit(limit)
        .execute();
    },

    async log(tenantId: TenantId, filter: { eventId?: string; sink?: string }, limit = 100) {
      let query = db.selectFrom('event_delivery_log').selectAll().where('tenant_id', '=', tenantId).orderBy('id', 'desc').limit(limit);
      if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
      if (filter.sink) query = query.where('sink', '=', filter.sink);
      return query.execute();
    },

    /** Refreshes the planner's statistics of the queue tables (they change size by orders of magnitude). */
    async analyze(): Promise<void> {
      await sql`ANALYZE outbox_fanout_queue, event_deliveries, outbox_events`.execute(db);
    },

    /** Counts by status, for metrics and tests. */
    async counts(tenantId: TenantId): Promise<Record<string, number>> {
      const rows = await db
        .selectFrom('event_deliveries')
        .select(['status', db.fn.countAll<string>().as('n')])
        .where('tenant_id', '=', tenantId)
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
