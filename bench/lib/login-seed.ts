import { sql } from 'kysely';
import { argon2Hasher } from '../../src/security/password-hasher.js';
import type { OpenedStore } from '../../src/store/index.js';

/** The password of every login account. */
export const BENCH_PASSWORD = 'Bench-Password-1';

/**
 * Makes the first `count` seeded accounts (user<i>@bench.example) full, registered accounts with
 * the bench password hashed once at the documented argon2id cost: a fixture for the login scenario.
 */
export async function seedLoginAccounts(store: OpenedStore, tenantId: string, count: number): Promise<void> {
  const hash = await argon2Hasher.hash(BENCH_PASSWORD);
  await sql`
    UPDATE accounts SET has_full_account = true, registered_at = now(), password_hash = ${hash}
    WHERE tenant_id = ${tenantId} AND uid IN (SELECT md5(i::text) FROM generate_series(1, ${count}::int) AS i)
  `.execute(store.db);
}
