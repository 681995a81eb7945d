import { type Kysely, sql } from 'kysely';
import type { ConsoleReadRepo, SinkDelivery } from '../core/admin-ports.js';
import type { Database } from './database.js';

const day = (column: string) => sql<string>`to_char(date_trunc('day', ${sql.ref(column)} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`;

export function createConsoleReadRepo(db: Kysely<Database>): ConsoleReadRepo {
  return {
    async deliveriesForEvents(tenantId, eventIds) {
      const result = new Map<string, SinkDelivery[]>();
      if (eventIds.length === 0) return result;
      const rows = await db
        .selectFrom('event_deliveries')
        .select(['event_id', 'sink', 'status', 'attempts', 'last_error', 'created_at', 'finished_at'])
        .where('tenant_id', '=', tenantId)
        .where('event_id', 'in', eventIds)
        .orderBy('sink')
        .execute();
      for (const r of rows) {
        const list = result.get(r.event_id) ?? [];
        list.push({ sink: r.sink, status: r.status, attempts: r.attempts, lastError: r.last_error, createdAt: r.created_at, finishedAt: r.finished_at });
        result.set(r.event_id, list);
      }
      return result;
    },

    async deadLetters(tenantId, limit) {
      const rows = await db
        .selectFrom('event_deliveries as d')
        .innerJoin('outbox_events as e', (join) => join.onRef('e.tenant_id', '=', 'd.tenant_id').onRef('e.seq', '=', 'd.event_seq'))
        .select(['d.sink', 'd.event_id', 'e.type', 'd.account_uid', 'd.attempts', 'd.last_error', 'd.finished_at'])
        .where('d.tenant_id', '=', tenantId)
        .where('d.status', '=', 'dead')
        .orderBy('d.finished_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        sink: r.sink,
        eventId: r.event_id,
        eventType: r.type,
        accountUid: r.account_uid || null,
        attempts: r.attempts,
        lastError: r.last_error,
        at: r.finished_at,
      }));
    },

    async requeueDead(tenantId, only, now) {
      let query = db
        .updateTable('event_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, lease_owner: null, finished_at: null, last_error: null })
        .where('tenant_id', '=', tenantId)
        .where('status', '=', 'dead');
      if (only) query = query.where('sink', '=', only.sink).where('event_id', '=', only.eventId);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async sinkHealth(tenantId, now) {
      const rows = await db
        .selectFrom('event_deliveries')
        .select(['sink', 'status', db.fn.countAll<string>().as('n'), db.fn.min('created_at').as('oldest')])
        .where('tenant_id', '=', tenantId)
        .groupBy(['sink', 'status'])
        .execute();
      const errors = await db
        .selectFrom('event_deliveries')
        .select(['sink', 'last_error'])
        .distinctOn('sink')
        .where('tenant_id', '=', tenantId)
        .where('last_error', 'is not', null)
        .orderBy('sink')
        .orderBy('finished_at', 'desc')
        .execute();
      const health = new Map<string, { sink: string; counts: Record<string, number>; lagMs: number | null; lastError: string | null }>();
      for (const r of rows) {
        const entry = health.get(r.sink) ?? { sink: r.sink, counts: {}, lagMs: null, lastError: null };
        entry.counts[r.status] = Number(r.n);
        if (r.status === 'pending' && r.oldest) entry.lagMs = Math.max(0, now.getTime() - new Date(r.oldest as Date).getTime());
        health.set(r.sink, entry);
      }
      for (const e of errors) {
        const entry = health.get(e.sink);
        if (entry) entry.lastError = e.last_error;
      }
      return [...health.values()];
    },

    async backlog(tenantId) {
      const row = await db
        .selectFrom('outbox_fanout_queue')
        .select(db.fn.countAll<string>().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async dailyEvents(tenantId, since, types) {
      if (types.length === 0) return [];
      const rows = await db
        .selectFrom('outbox_events')
        .select([
          day('created_at').as('day'),
          'type',
          sql<string>`coalesce(origin->>'facade', 'system')`.as('door'),
          sql<string | null>`payload->'payload'->>'subscriptionId'`.as('list'),
          sql<boolean | null>`(payload->'payload'->>'isSubscribed')::boolean`.as('subscribed'),
          db.fn.countAll<string>().as('n'),
        ])
        .where('tenant_id', '=', tenantId)
        .where('created_at', '>=', since)
        .where('type', 'in', types)
        .groupBy(['day', 'type', 'door', 'list', 'subscribed'])
        .orderBy('day')
        .execute();
      return rows.map((r) => ({ day: r.day, type: r.type, door: r.door, list: r.list, subscribed: r.subscribed, count: Number(r.n) }));
    },

    async confirmationDelays(tenantId, since, limit) {
      const rows = await db
        .selectFrom('outbox_events')
        .select([sql<string | null>`payload->'payload'->>'requestedAt'`.as('requested'), sql<string>`payload->'payload'->>'confirmedAt'`.as('confirmed')])
        .where('tenant_id', '=', tenantId)
        .where('type', '=', 'subscription.confirmed')
        .where('created_at', '>=', since)
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return rows.filter((r) => r.requested).map((r) => Math.max(0, Date.parse(r.confirmed) - Date.parse(r.requested as string)));
    },
  };
}
