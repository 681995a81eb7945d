import { type Kysely, sql } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../store/database.js';

/**
 * Metrics of the event pipeline on a Prometheus registry: delivery outcomes and latency by sink,
 * dead letters, messages by channel, retention, plus gauges of the backlog read from the
 * database at scrape time. Label values are bounded: a sink is its kind (`webhook`, `nats`,
 * `messaging`) unless `perSink` (ROSTER_METRICS_PER_SINK) asks for full sink names and tenants.
 */
export interface PipelineMetrics {
  readonly perSink: boolean;
  /** The label of a sink name ("webhook:<id>" → "webhook" unless perSink). */
  sinkLabel(sink: string): string;
  deliveries: Counter<'sink' | 'outcome' | 'tenant'>;
  attemptSeconds: Histogram<'sink'>;
  deadLetters: Counter<'sink' | 'tenant'>;
  messages: Counter<'channel' | 'outcome'>;
  retentionDeleted: Counter<'table'>;
  retentionSeconds: Histogram<'table'>;
}

const byRegistry = new WeakMap<Registry, PipelineMetrics>();

/** The pipeline metrics of a registry, created once (the server's worker and app share them). */
export function pipelineMetrics(registry: Registry, options: { perSink?: boolean } = {}): PipelineMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const perSink = options.perSink === true;
  const withTenant = perSink ? ['tenant' as const] : [];
  const metrics: PipelineMetrics = {
    perSink,
    sinkLabel: (sink) => (perSink ? sink : (sink.split(':')[0] ?? sink)),
    deliveries: new Counter({
      name: 'roster_event_deliveries_total',
      help: 'Event deliveries attempted, by sink and outcome (delivered, retry, dead, dropped)',
      labelNames: ['sink', 'outcome', ...withTenant],
      registers: [registry],
    }),
    attemptSeconds: new Histogram({
      name: 'roster_event_delivery_attempt_seconds',
      help: 'Duration of one delivery attempt (one batch) by sink',
      labelNames: ['sink'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'roster_event_dead_letters_total',
      help: 'Deliveries that ran out of attempts (dead letters), by sink',
      labelNames: ['sink', ...withTenant],
      registers: [registry],
    }),
    messages: new Counter({
      name: 'roster_messages_total',
      help: 'Messages by channel (email, sms) and outcome (sent, failed, duplicate: already sent, not sent again)',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    retentionDeleted: new Counter({
      name: 'roster_retention_deleted_rows_total',
      help: 'Rows deleted by retention, by table',
      labelNames: ['table'],
      registers: [registry],
    }),
    retentionSeconds: new Histogram({
      name: 'roster_retention_batch_seconds',
      help: 'Duration of one retention batch (one DELETE), by table',
      labelNames: ['table'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  } as PipelineMetrics;
  byRegistry.set(registry, metrics);
  return metrics;
}

const backlogRegistered = new WeakSet<Registry>();

/**
 * Backlog gauges, read from the database when scraped: pending deliveries and the age of the
 * oldest undelivered event per sink (sink "fanout": events not yet routed to their sinks), and
 * current dead letters. Shared state, so every process reports the same figures (take max, not
 * sum, across processes). Counts use the partial indexes on pending and dead rows.
 */
export function registerBacklogGauges(registry: Registry, db: Kysely<Database>, options: { perSink?: boolean; now?: () => Date } = {}): void {
  if (backlogRegistered.has(registry)) return;
  backlogRegistered.add(registry);
  const now = options.now ?? (() => new Date());
  const label = (sink: string) => (options.perSink ? sink : (sink.split(':')[0] ?? sink));
  let snapshot: Promise<{ backlog: Map<string, { n: number; oldest: Date | null }>; dead: Map<string, number> }> | undefined;
  // One scrape reads all three gauges from one snapshot.
  const read = () => {
    snapshot ??= (async () => {
      const pending = await sql<{ sink: string; n: string | number; oldest: Date | string | null }>`
        SELECT p.sink, p.n, e.created_at AS oldest
        FROM (SELECT sink, count(*) AS n, min(event_seq) AS first_seq FROM event_deliveries WHERE status = 'pending' GROUP BY sink) p
        LEFT JOIN LATERAL (SELECT created_at FROM outbox_events WHERE seq = p.first_seq LIMIT 1) e ON true`.execute(db);
      const queued = await sql<{ n: string | number; oldest: Date | string | null }>`
        SELECT q.n, e.created_at AS oldest
        FROM (SELECT count(*) AS n, min(seq) AS first_seq FROM outbox_fanout_queue) q
        LEFT JOIN LATERAL (SELECT created_at FROM outbox_events WHERE seq = q.first_seq LIMIT 1) e ON true`.execute(db);
      const dead = await sql<{ sink: string; n: string | number }>`
        SELECT sink, count(*) AS n FROM event_deliveries WHERE status = 'dead' GROUP BY sink`.execute(db);
      const backlog = new Map<string, { n: number; oldest: Date | null }>();
      const add = (sink: string, n: number, oldest: Date | string | null) => {
        const key = label(sink);
        const was = backlog.get(key) ?? { n: 0, oldest: null };
        const at = oldest === null ? null : new Date(oldest);
        backlog.set(key, { n: was.n + n, oldest: at && (!was.oldest || at < was.oldest) ? at : was.oldest });
      };
      for (const row of pending.rows) add(row.sink, Number(row.n), row.oldest);
      const q = queued.rows[0];
      add('fanout', Number(q?.n ?? 0), q?.oldest ?? null);
      const deadBySink = new Map<string, number>();
      for (const row of dead.rows) deadBySink.set(label(row.sink), (deadBySink.get(label(row.sink)) ?? 0) + Number(row.n));
      return { backlog, dead: deadBySink };
    })()
      // A database that does not answer must not take /metrics down with it: the gauges are left
      // out of this scrape (readiness reports the database).
      .catch(() => ({ backlog: new Map<string, { n: number; oldest: Date | null }>(), dead: new Map<string, number>() }))
      .finally(() => {
        setTimeout(() => {
          snapshot = undefined;
        }, 0);
      });
    return snapshot;
  };
  new Gauge({
    name: 'roster_events_backlog',
    help: 'Undelivered events by sink (sink "fanout": not yet routed to sinks)',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [sink, { n }] of (await read()).backlog) this.set({ sink }, n);
    },
  });
  new Gauge({
    name: 'roster_events_oldest_undelivered_seconds',
    help: 'Age of the oldest undelivered event by sink (0 when none)',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      this.reset();
      const at = now().getTime();
      for (const [sink, { oldest }] of (await read()).backlog) this.set({ sink }, oldest ? Math.max(0, (at - oldest.getTime()) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'roster_events_dead_letters',
    help: 'Dead letters currently stored, by sink (replay or retention removes them)',
    labelNames: ['sink'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [sink, n] of (await read()).dead) this.set({ sink }, n);
    },
  });
}
