import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Logger } from 'pino';
import type { RetentionConfig } from '../config.js';
import type { Database } from '../store/database.js';
import type { PipelineMetrics } from './metrics.js';

const DAY_MS = 86_400_000;

/**
 * One table's retention: which rows are old enough to go. `where(alias)` is asked twice, for the
 * batch's pick and again on the row being deleted, so a row that changed meanwhile (a replayed
 * delivery is pending again) is not deleted.
 */
interface Rule {
  table: string;
  keys: string[];
  days: (config: RetentionConfig) => number;
  where: (alias: string, cutoff: Date) => RawBuilder<unknown>;
  order: string;
}

/**
 * What retention deletes, and only this. Consent history, subscriptions (which hold the double
 * opt-in proof: request and confirmation time, IP, user agent), accounts and used DOI
 * confirmations are never touched. Tokens count from their expiry, the rest from when they
 * finished.
 */
const RULES: Rule[] = [
  {
    table: 'event_deliveries',
    keys: ['tenant_id', 'sink', 'event_seq'],
    days: (c) => c.deliveredDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.status`)} <> 'pending' AND ${sql.ref(`${a}.status`)} <> 'dead' AND ${sql.ref(`${a}.finished_at`)} < ${cutoff}`,
    order: 'finished_at',
  },
  {
    table: 'event_deliveries',
    keys: ['tenant_id', 'sink', 'event_seq'],
    days: (c) => c.deadDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.status`)} <> 'pending' AND ${sql.ref(`${a}.status`)} = 'dead' AND ${sql.ref(`${a}.finished_at`)} < ${cutoff}`,
    order: 'finished_at',
  },
  {
    table: 'event_delivery_log',
    keys: ['tenant_id', 'id'],
    days: (c) => c.deliveryLogDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.at`)} < ${cutoff}`,
    order: 'at',
  },
  {
    table: 'message_sends',
    keys: ['tenant_id', 'event_id', 'channel', 'recipient'],
    days: (c) => c.messageSendsDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.state`)} <> 'sending' AND ${sql.ref(`${a}.updated_at`)} < ${cutoff}`,
    order: 'updated_at',
  },
  {
    table: 'dev_mailbox',
    keys: ['tenant_id', 'id'],
    days: (c) => c.mailboxDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.created_at`)} < ${cutoff}`,
    order: 'created_at',
  },
  {
    table: 'lite_tokens',
    keys: ['tenant_id', 'token_hash'],
    days: (c) => c.tokensDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.expires_at`)} < ${cutoff}`,
    order: 'expires_at',
  },
  {
    // Only links never used: a used one records that the person confirmed.
    table: 'doi_confirmations',
    keys: ['tenant_id', 'event_id'],
    days: (c) => c.tokensDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.used_at`)} IS NULL AND ${sql.ref(`${a}.expires_at`)} < ${cutoff}`,
    order: 'expires_at',
  },
  {
    table: 'member_registration_passwords',
    keys: ['tenant_id', 'site_id', 'kind', 'value'],
    days: (c) => c.tokensDays,
    where: (a, cutoff) => sql`${sql.ref(`${a}.expires_at`)} < ${cutoff}`,
    order: 'expires_at',
  },
];

/** Rows per table a pass deletes at most, so one pass never runs long; the next pass goes on. */
const MAX_BATCHES_PER_TABLE = 50;

/** Lets requests in between batches: on PGlite they share the one connection with retention. */
const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface RetentionDeps {
  db: Kysely<Database>;
  config: RetentionConfig;
  now: () => Date;
  log: Pick<Logger, 'info'>;
  metrics?: PipelineMetrics;
  /** The tenants whose rows this worker may delete (ROSTER_WORKER_TENANTS); absent or empty: every tenant. */
  tenants?: readonly string[] | undefined;
}

/**
 * Deletes what has outlived its retention, table by table, in batches of `config.batchSize`
 * rows (one short DELETE each, found through an index), yielding between batches. Returns the
 * rows deleted per table. Any number of workers may run it at once: each DELETE re-checks its rows.
 */
export function createRetention(deps: RetentionDeps) {
  const { db, config } = deps;
  // A worker dedicated to some tenants keeps out of the others' rows, as it does for deliveries.
  const ofTenants = (alias: string) =>
    deps.tenants && deps.tenants.length > 0 ? sql`AND ${sql.ref(`${alias}.tenant_id`)} IN (${sql.join([...deps.tenants])})` : sql``;

  async function timed(table: string, statement: () => Promise<number>): Promise<number> {
    const started = performance.now();
    const n = await statement();
    deps.metrics?.retentionSeconds.observe({ table }, (performance.now() - started) / 1000);
    if (n > 0) deps.metrics?.retentionDeleted.inc({ table }, n);
    return n;
  }

  async function deleteBatch(rule: Rule, cutoff: Date): Promise<number> {
    const keys = sql.join(rule.keys.map((k) => sql.ref(k)));
    const match = sql.join(
      rule.keys.map((k) => sql`${sql.ref(`t.${k}`)} = ${sql.ref(`v.${k}`)}`),
      sql` AND `,
    );
    const result = await sql<{ n: string | number }>`
      WITH victims AS (
        SELECT ${keys} FROM ${sql.table(rule.table)} s WHERE ${rule.where('s', cutoff)} ${ofTenants('s')} ORDER BY ${sql.ref(`s.${rule.order}`)} LIMIT ${config.batchSize}),
      deleted AS (
        DELETE FROM ${sql.table(rule.table)} t USING victims v WHERE ${match} AND ${rule.where('t', cutoff)} RETURNING 1)
      SELECT count(*) AS n FROM deleted`.execute(db);
    return Number(result.rows[0]?.n ?? 0);
  }

  /**
   * Outbox events older than the cutoff that no sink still waits for (no pending delivery, not
   * in the fan-out queue) and that are not dead letters (kept for replay until the dead letter
   * itself goes). Walks the outbox in seq order, one window of `batchSize` events at a time.
   */
  async function deleteOutbox(cutoff: Date): Promise<number> {
    let after = 0;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_TABLE; batch++) {
      const result = await sql<{ deleted: string | number; old: string | number; last: string | number | null }>`
        WITH win AS (
          SELECT o.tenant_id, o.seq, o.created_at FROM outbox_events o WHERE o.seq > ${after} ${ofTenants('o')} ORDER BY o.seq LIMIT ${config.batchSize}),
        victims AS (
          SELECT w.tenant_id, w.seq FROM win w WHERE w.created_at < ${cutoff}
            AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_seq = w.seq AND d.status IN ('pending', 'dead'))
            AND NOT EXISTS (SELECT 1 FROM outbox_fanout_queue q WHERE q.seq = w.seq)),
        deleted AS (
          DELETE FROM outbox_events e USING victims v WHERE e.tenant_id = v.tenant_id AND e.seq = v.seq RETURNING 1)
        SELECT (SELECT count(*) FROM deleted) AS deleted,
               (SELECT count(*) FROM win WHERE created_at < ${cutoff}) AS old,
               (SELECT max(seq) FROM win) AS last`.execute(db);
      const row = result.rows[0];
      const deleted = Number(row?.deleted ?? 0);
      total += deleted;
      if (deleted > 0) deps.metrics?.retentionDeleted.inc({ table: 'outbox_events' }, deleted);
      // seq follows time: a window with nothing old enough means the rest is younger still.
      if (!row || row.last === null || Number(row.old) === 0) break;
      after = Number(row.last);
      await yieldToOthers();
    }
    return total;
  }

  return {
    /** One retention pass over every table. */
    async run(): Promise<Record<string, number>> {
      const now = deps.now().getTime();
      const deleted: Record<string, number> = {};
      for (const rule of RULES) {
        const days = rule.days(config);
        if (days <= 0) continue;
        const cutoff = new Date(now - days * DAY_MS);
        for (let batch = 0; batch < MAX_BATCHES_PER_TABLE; batch++) {
          const n = await timed(rule.table, () => deleteBatch(rule, cutoff));
          deleted[rule.table] = (deleted[rule.table] ?? 0) + n;
          await yieldToOthers();
          if (n < config.batchSize) break;
        }
      }
      if (config.deliveredDays > 0) {
        const started = performance.now();
        deleted.outbox_events = await deleteOutbox(new Date(now - config.deliveredDays * DAY_MS));
        deps.metrics?.retentionSeconds.observe({ table: 'outbox_events' }, (performance.now() - started) / 1000);
      }
      const any = Object.values(deleted).some((n) => n > 0);
      if (any) deps.log.info({ deleted }, 'retention pass deleted old rows');
      return deleted;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
