import type { Kysely } from 'kysely';
import type { DomainEvent } from '../core/events.js';
import type { OutboxRepo } from '../core/ports.js';
import type { AccountUid, Origin, SiteId, TenantId } from '../core/types.js';
import type { Database } from './database.js';

export function createOutboxRepo(db: Kysely<Database>): OutboxRepo {
  return {
    async append(record) {
      const { type, accountUid, ...rest } = record.event;
      await db
        .insertInto('outbox_events')
        .values({
          tenant_id: record.tenantId,
          id: record.id,
          site_id: record.siteId,
          account_uid: accountUid,
          type,
          // Everything but type and account: the payload and, for account events, `via`.
          payload: JSON.stringify(rest),
          origin: JSON.stringify(record.origin),
          created_at: record.createdAt,
        })
        .execute();
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
