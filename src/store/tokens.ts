import type { Kysely } from 'kysely';
import type { DoiConfirmationRepo, LiteTokenRepo } from '../core/ports.js';
import type { AccountUid, Channel, SiteId, TenantId } from '../core/types.js';
import type { Database } from './database.js';

export function createLiteTokenRepo(db: Kysely<Database>): LiteTokenRepo {
  return {
    async insert(token) {
      await db
        .insertInto('lite_tokens')
        .values({
          tenant_id: token.tenantId,
          token_hash: token.tokenHash,
          account_uid: token.accountUid,
          expires_at: token.expiresAt,
          created_at: token.createdAt,
        })
        .execute();
    },
    async findAccount(tenantId, tokenHash, now) {
      const row = await db
        .selectFrom('lite_tokens')
        .select('account_uid')
        .where('tenant_id', '=', tenantId)
        .where('token_hash', '=', tokenHash)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row?.account_uid as AccountUid | undefined;
    },
    async prune(tenantId, now) {
      await db.deleteFrom('lite_tokens').where('tenant_id', '=', tenantId).where('expires_at', '<=', now).execute();
    },
  };
}

export function createDoiConfirmationRepo(db: Kysely<Database>): DoiConfirmationRepo {
  return {
    async insert(c) {
      await db
        .insertInto('doi_confirmations')
        .values({
          tenant_id: c.tenantId,
          event_id: c.eventId,
          token_hash: c.tokenHash,
          token_sealed: c.tokenSealed,
          account_uid: c.accountUid,
          subscription_id: c.subscriptionId,
          channel: c.channel,
          expires_at: c.expiresAt,
          created_at: c.createdAt,
          site_id: c.siteId,
        })
        .execute();
    },
    async findByToken(tokenHash) {
      const row = await db
        .selectFrom('doi_confirmations')
        .select(['tenant_id', 'site_id', 'subscription_id', 'channel', 'expires_at', 'used_at'])
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return (
        row && {
          tenantId: row.tenant_id as TenantId,
          siteId: row.site_id as SiteId | null,
          subscriptionId: row.subscription_id,
          channel: row.channel as Channel,
          expiresAt: row.expires_at,
          usedAt: row.used_at,
        }
      );
    },
    async findByEvent(tenantId, eventId) {
      const row = await db
        .selectFrom('doi_confirmations')
        .select(['token_sealed', 'expires_at', 'used_at'])
        .where('tenant_id', '=', tenantId)
        .where('event_id', '=', eventId)
        .executeTakeFirst();
      return row && { tokenSealed: row.token_sealed, expiresAt: row.expires_at, usedAt: row.used_at };
    },
    async consume(tokenHash, now) {
      // One statement: two clicks racing on one link cannot both use it.
      const row = await db
        .updateTable('doi_confirmations')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .returning(['tenant_id', 'event_id', 'account_uid', 'subscription_id', 'channel'])
        .executeTakeFirst();
      return (
        row && {
          tenantId: row.tenant_id as TenantId,
          eventId: row.event_id,
          accountUid: row.account_uid as AccountUid,
          subscriptionId: row.subscription_id,
          channel: row.channel as Channel,
        }
      );
    },
  };
}
