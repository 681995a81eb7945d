import { sql } from 'kysely';
import type { OpenedStore } from '../../src/store/index.js';

/**
 * A digest of everything a request could change for one tenant: accounts and their versions,
 * outbox events, site settings, webhooks, members, imports, tokens and cursors. Anti-replay and
 * rate-limit bookkeeping (nonces, windows) is left out: it is written before a call is judged.
 */
export async function storeFingerprint(store: OpenedStore, tenantId: string): Promise<string> {
  const result = await sql<{ fingerprint: string }>`
    select concat_ws('|',
      (select count(*) || ':' || coalesce(sum(version), 0) from accounts where tenant_id = ${tenantId}),
      (select count(*) from identifiers where tenant_id = ${tenantId}),
      (select count(*) from outbox_events where tenant_id = ${tenantId}),
      (select coalesce(max(updated_at)::text, '') from sites where tenant_id = ${tenantId}),
      (select count(*) from webhooks where tenant_id = ${tenantId}),
      (select coalesce(max(updated_at)::text, '') || ':' || count(*) from member_attributes where tenant_id = ${tenantId}),
      (select count(*) from member_imports where tenant_id = ${tenantId}),
      (select count(*) from lite_tokens where tenant_id = ${tenantId}),
      (select count(*) from search_cursors where tenant_id = ${tenantId})
    ) as fingerprint`.execute(store.db);
  return result.rows[0]?.fingerprint ?? '';
}
