import type { Kysely } from 'kysely';
import type { AccountQuery, KeysetPosition } from '../core/account-query.js';
import type { SearchCursorRepo } from '../core/ports.js';
import type { JsonObject, TenantId } from '../core/types.js';
import type { Database } from './database.js';

export function createSearchCursorRepo(db: Kysely<Database>): SearchCursorRepo {
  return {
    async insert(cursor) {
      await db
        .insertInto('search_cursors')
        .values({
          tenant_id: cursor.tenantId,
          id: cursor.id,
          query: JSON.stringify(cursor.query),
          snapshot_at: cursor.snapshotAt,
          position: cursor.position === null ? null : JSON.stringify(cursor.position),
          page_size: cursor.limit,
          total_count: cursor.totalCount,
          context: JSON.stringify(cursor.context),
          expires_at: cursor.expiresAt,
        })
        .execute();
    },
    async find(tenantId, id, now) {
      const row = await db
        .selectFrom('search_cursors')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        tenantId: row.tenant_id as TenantId,
        id: row.id,
        query: row.query as unknown as AccountQuery,
        snapshotAt: row.snapshot_at,
        position: row.position as unknown as KeysetPosition | null,
        limit: row.page_size,
        totalCount: Number(row.total_count),
        context: row.context as JsonObject,
        expiresAt: row.expires_at,
      };
    },
    async prune(tenantId, now) {
      await db.deleteFrom('search_cursors').where('tenant_id', '=', tenantId).where('expires_at', '<=', now).execute();
    },
  };
}
