import { sql } from 'kysely';
import type { TenantId } from '../../src/core/types.js';
import type { OpenedStore } from '../../src/store/index.js';

/**
 * Many accounts at once with set-based SQL (tests of search at scale): account n has email
 * `<prefix><n>@seed.example`, uid md5(tenant:prefix:n), profile {email, n}, and lastUpdated
 * `base + (n mod spreadMs)` ms, so many accounts share a timestamp (cursor tie-breaks).
 */
export async function seedAccounts(
  store: OpenedStore,
  tenantId: TenantId,
  options: { from: number; to: number; prefix: string; base: Date; spreadMs: number; lite: boolean; full: boolean },
): Promise<void> {
  const { from, to, prefix, base, spreadMs } = options;
  await sql`INSERT INTO accounts (tenant_id, uid, has_lite_account, has_full_account, profile, data, email_token, created_at, updated_at)
    SELECT ${tenantId}, md5(${`${tenantId}:${prefix}:`} || n::text), ${options.lite}, ${options.full},
           jsonb_build_object('email', ${prefix} || n::text || '@seed.example', 'n', n), '{}'::jsonb,
           md5(${`token:${tenantId}:${prefix}:`} || n::text), ${base}::timestamptz,
           ${base}::timestamptz + ((n % ${spreadMs}) * interval '1 millisecond')
    FROM generate_series(${from}::int, ${to}::int) AS n`.execute(store.db);
  await sql`INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at)
    SELECT ${tenantId}, 'email', ${prefix} || n::text || '@seed.example', md5(${`${tenantId}:${prefix}:`} || n::text), ${base}::timestamptz
    FROM generate_series(${from}::int, ${to}::int) AS n`.execute(store.db);
}
