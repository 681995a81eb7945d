import { sql } from 'kysely';
import type { OpenedStore } from '../../src/store/index.js';

/**
 * Seeds `count` lite accounts (email, profile, one subscription) straight into the store's tables
 * with set-based SQL: a fixture for the read scenarios, not a code path under test.
 * Emails are user<i>@bench.example; uids are md5(i) so scenarios can address them.
 */
export async function seedAccounts(store: OpenedStore, tenantId: string, count: number): Promise<void> {
  const chunk = 100_000;
  for (let from = 1; from <= count; from += chunk) {
    const to = Math.min(count, from + chunk - 1);
    await sql`
      WITH s AS (SELECT i, md5(i::text) AS uid, 'user' || i || '@bench.example' AS email FROM generate_series(${from}::int, ${to}::int) AS i),
      a AS (
        INSERT INTO accounts (tenant_id, uid, has_lite_account, profile, data, email_token, created_at, updated_at)
        SELECT ${tenantId}, uid, true,
               jsonb_build_object('email', email, 'firstName', 'User', 'lastName', 'N' || i),
               jsonb_build_object('segment', i % 10), md5('t' || i::text), now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
        FROM s RETURNING uid),
      ids AS (INSERT INTO identifiers (tenant_id, kind, value, account_uid, created_at) SELECT ${tenantId}, 'email', email, uid, now() FROM s)
      INSERT INTO subscriptions (tenant_id, account_uid, subscription_id, channel, is_subscribed, last_updated_state_at, updated_at)
      SELECT ${tenantId}, uid, 'news', 'email', true, now(), now() FROM s
    `.execute(store.db);
  }
  await sql`ANALYZE`.execute(store.db);
}
