import type { Kysely } from 'kysely';
import type { DomainEvent } from '../core/events.js';
import type { OutboxRecord, OutboxRepo } from '../core/ports.js';
import type { AccountUid, Origin, SiteId, TenantId } from '../core/types.js';
import type { Database } from './database.js';

/** The outbox_events row of a record (column names as keys; payload and origin as objects). */
export function outboxRow(record: OutboxRecord) {
  const { type, accountUid, ...rest } = record.event;
  return {
    tenant_id: record.tenantId,
    id: record.id,
    site_id: record.siteId,
    account_uid: accountUid,
    type,
    // Everything but type and account: the payload and, for account events, `via`.
    payload: rest,
    origin: record.origin,
    created_at: record.createdAt,
  };
}

const toRow = (record: OutboxRecord) => {
  const row = outboxRow(record);
  return { ...row, payload: JSON.stringify(row.payload), origin: JSON.stringify(row.origin) };
};

export async function insertOutboxRecords(db: Kysely<Database>, records: OutboxRecord[]): Promise<void> {
  if (records.length > 0) await db.insertInto('outbox_events').values(records.map(toRow)).execute();
}

/**
 * The outbox of one transaction: appends are kept and written as one multi-row insert by
 * `flush()`, which the store calls just before COMMIT. Same atomicity, fewer round trips.
 */
export function createBufferedOutbox(db: Kysely<Database>): OutboxRepo & { flush(): Promise<void>; take(): OutboxRecord[] } {
  const pending: OutboxRecord[] = [];
  const direct = createOutboxRepo(db);
  return {
    ...direct,
    async append(record) {
      pending.push(record);
    },
    async flush() {
      await insertOutboxRecords(db, pending.splice(0));
    },
    /** The records kept so far, for a caller that writes them itself (a group commit's one insert). */
    take: () => pending.splice(0),
  };
}

export function createOutboxRepo(db: Kysely<Database>): OutboxRepo {
  return {
    async append(record) {
      await insertOutboxRecords(db, [record]);
    },
    async listForAccount(tenantId, uid) {
      const rows = await db.selectFrom('outbox_events').selectAll().where('tenant_id', '=', tenantId).where('account_uid', '=', uid).orderBy('seq').execute();
      return rows.map((row) => ({
        id: row.id,
        tenantId: row.tenant_id as TenantId,
        siteId: row.site_id as SiteId | null,
        event: { type: row.type, accountUid: row.account_uid as AccountUid, ...row.payload } as DomainEvent,
        origin: row.origin as unknown as Origin,
        createdAt: row.created_at,
      }));
    },
  };
}
