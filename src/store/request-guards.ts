import { type Kysely, sql } from 'kysely';
import type { RequestGuardRepo } from '../core/ports.js';
import type { Database } from './database.js';

export function createRequestGuardRepo(db: Kysely<Database>): RequestGuardRepo {
  return {
    async claimNonce(tenantId, scope, nonce, expiresAt, now) {
      // One statement, so two processes racing on one nonce cannot both win: the insert or the
      // take-over of an expired row returns the row; a live duplicate returns nothing.
      const row = await db
        .insertInto('gigya_nonces')
        .values({ tenant_id: tenantId, scope, nonce, expires_at: expiresAt })
        .onConflict((oc) => oc.columns(['tenant_id', 'scope', 'nonce']).doUpdateSet({ expires_at: expiresAt }).where('gigya_nonces.expires_at', '<', now))
        .returning('nonce')
        .executeTakeFirst();
      return row !== undefined;
    },
    async countHit(tenantId, bucket, windowStart, hits) {
      const row = await db
        .insertInto('gigya_rate_windows')
        .values({ tenant_id: tenantId, bucket, window_start: windowStart, hits })
        .onConflict((oc) => oc.columns(['tenant_id', 'bucket', 'window_start']).doUpdateSet({ hits: sql<number>`gigya_rate_windows.hits + excluded.hits` }))
        .returning('hits')
        .executeTakeFirstOrThrow();
      return Number(row.hits);
    },
    async prune(tenantId, before) {
      await db.deleteFrom('gigya_nonces').where('tenant_id', '=', tenantId).where('expires_at', '<', before).execute();
      await db.deleteFrom('gigya_rate_windows').where('tenant_id', '=', tenantId).where('window_start', '<', before).execute();
    },
  };
}
